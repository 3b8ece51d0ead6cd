namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The gateway config produced from an nginx config, and everything the import could not carry over.
/// <see cref="Json"/> is empty when the input could not be parsed at all.
/// </summary>
public sealed record NginxImportResult(string Json, IReadOnlyList<ImportDiagnostic> Diagnostics)
{
    public bool Succeeded => !Diagnostics.Any(d => d.IsError);
}
