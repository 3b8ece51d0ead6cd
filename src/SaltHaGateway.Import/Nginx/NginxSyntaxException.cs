namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// A config error after which nginx stops reading (bad syntax, unreadable include). Never leaves the importer:
/// <see cref="NginxConfigImporter"/> turns it into an error diagnostic.
/// </summary>
internal sealed class NginxSyntaxException(string file, int line, string directive, string message)
    : Exception(message)
{
    public string File { get; } = file;
    public int Line { get; } = line;
    public string Directive { get; } = directive;
}
