namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// A validated <c>proxy_pass</c> URL: scheme, "host[:port]", and the optional URI part (which, when present,
/// replaces the matched location prefix). nginx treats the host as an upstream name when an upstream block
/// of that name exists, otherwise as an address.
/// </summary>
internal sealed record ProxyPassTarget(string Scheme, HostPort Endpoint, string? Uri, NginxDirective Source)
{
    /// <summary>null (with a diagnostic) when the URL is invalid or cannot be translated.</summary>
    public static ProxyPassTarget? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, 1))
        {
            return null;
        }

        var url = d.Args[0];
        if (url.Contains('$'))
        {
            diagnostics.NotTranslated(d, "proxy_pass with variables");
            return null;
        }

        string scheme;
        if (url.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            scheme = "http";
        }
        else if (url.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            scheme = "https";
        }
        else
        {
            diagnostics.Error(d, $"invalid URL prefix in \"{url}\"");
            return null;
        }

        var rest = url[(scheme.Length + 3)..];
        if (rest.StartsWith("unix:", StringComparison.Ordinal))
        {
            diagnostics.NotTranslated(d, "unix-domain socket upstreams are not supported");
            return null;
        }

        var slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var uri = slash < 0 ? null : rest[slash..];
        if (!HostPort.TryParse(authority, out var endpoint, out var error))
        {
            diagnostics.Error(d, $"{error} in \"{url}\"");
            return null;
        }

        return new ProxyPassTarget(scheme, endpoint!, uri, d);
    }

    public int DefaultPort => Scheme == "https" ? 443 : 80;
}
