namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// <c>server_name</c> values as route host patterns: exact names and "*.example.com" carry over, ".example.com"
/// becomes both "example.com" and "*.example.com"; "" and "_" name nothing; regex names, trailing wildcards
/// ("www.example.*") and variables cannot be expressed and are reported;
/// a '*' anywhere else is a literal character to nginx, so such a name is reported too.
/// </summary>
internal static class ServerNames
{
    public static IEnumerable<string> Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            yield break;
        }

        foreach (var name in d.Args)
        {
            if (name is "" or "_")
            {
                continue;
            }

            if (name.StartsWith('~') || name.Contains('$') || name.EndsWith(".*", StringComparison.Ordinal))
            {
                diagnostics.NotTranslated(d, $"server name \"{name}\" cannot be expressed as a route host");
                continue;
            }

            if (name.Contains('*') && !(name.StartsWith("*.", StringComparison.Ordinal) && name.LastIndexOf('*') == 0))
            {
                // nginx takes it as an exact name that no real Host equals; a route would read it as a pattern.
                diagnostics.NotTranslated(d, $"server name \"{name}\" (nginx compares it literally)");
                continue;
            }

            if (name.StartsWith('.'))
            {
                yield return name[1..].ToLowerInvariant();
                yield return "*" + name.ToLowerInvariant();
                continue;
            }

            yield return name.ToLowerInvariant();
        }
    }
}
