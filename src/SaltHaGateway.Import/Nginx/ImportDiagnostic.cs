namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// One finding of the nginx import: an error (nginx itself would reject the input, or it cannot be read)
/// or a warning (valid nginx that the gateway config cannot express, so it was left out).
/// </summary>
public sealed record ImportDiagnostic(string File, int Line, string Directive, string Message, bool IsError)
{
    public override string ToString() =>
        $"{File}:{Line}: {(IsError ? "error" : "warning")}: {(Directive.Length > 0 ? $"\"{Directive}\": " : "")}{Message}";
}
