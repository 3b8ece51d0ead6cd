namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// One parsed nginx directive: its name, its arguments with nginx's escapes already applied, where it was
/// written, and its block (null for a directive ended by ';').
/// </summary>
internal sealed record NginxDirective(
    string Name,
    IReadOnlyList<string> Args,
    string File,
    int Line,
    IReadOnlyList<NginxDirective>? Block)
{
    public bool HasBlock => Block is not null;
}
