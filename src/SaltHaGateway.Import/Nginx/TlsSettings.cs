namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The <c>ssl_*</c> directives of one level (http or server) that become <c>Gateway:Tls</c>. A directive written at
/// server level replaces the http level's, as nginx inherits them. Paths are absolute, resolved against the conf
/// prefix as nginx does.
/// </summary>
internal sealed record TlsSettings(
    (string Path, NginxDirective Source)? Certificate,
    (string Path, NginxDirective Source)? Key,
    (string Value, NginxDirective Source)? Protocols,
    (string Value, NginxDirective Source)? Ciphers)
{
    public static readonly TlsSettings Empty = new(null, null, null, null);

    public TlsSettings Over(TlsSettings inherited) =>
        new(Certificate ?? inherited.Certificate, Key ?? inherited.Key, Protocols ?? inherited.Protocols, Ciphers ?? inherited.Ciphers);
}

/// <summary>Reads the TLS directives of one level; the rest of <c>ssl_*</c> stays with the caller (reported).</summary>
internal sealed class TlsSettingsBuilder(ImportDiagnostics diagnostics, string confPrefix)
{
    private static readonly string[] IgnoredSession = ["ssl_session_cache", "ssl_session_timeout", "ssl_session_tickets", "ssl_session_ticket_key"];
    private static readonly string[] Obsolete = ["SSLv2", "SSLv3", "TLSv1", "TLSv1.1"];

    private TlsSettings _settings = TlsSettings.Empty;

    /// <summary>True when the directive was taken (translated, or accepted with a warning).</summary>
    public bool TryApply(NginxDirective d)
    {
        switch (d.Name)
        {
            case "ssl_certificate" or "ssl_certificate_key":
                if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, 1))
                {
                    return true;
                }

                var existing = d.Name == "ssl_certificate" ? _settings.Certificate : _settings.Key;
                if (existing is { } first)
                {
                    diagnostics.NotTranslated(d, $"a second {d.Name} (nginx offers one per key type); the one at line {first.Source.Line} is used");
                }
                else if (d.Args[0].Contains('$', StringComparison.Ordinal) || d.Args[0].StartsWith("data:", StringComparison.Ordinal))
                {
                    diagnostics.NotTranslated(d, "variables and data: values; Gateway:Tls takes a file");
                }
                else if (d.Args[0].Contains('\0', StringComparison.Ordinal))
                {
                    // nginx cannot open such a path either; Path.GetFullPath would throw.
                    diagnostics.Error(d, $"invalid file name in \"{d.Name}\"");
                }
                else
                {
                    var path = Path.GetFullPath(Path.Combine(confPrefix, d.Args[0]));
                    _settings = d.Name == "ssl_certificate" ? _settings with { Certificate = (path, d) } : _settings with { Key = (path, d) };
                }

                return true;
            case "ssl_protocols":
                if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1))
                {
                    Protocols(d);
                }

                return true;
            case "ssl_ciphers":
                if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1))
                {
                    _settings = _settings with { Ciphers = (d.Args[0], d) };
                }

                return true;
            case "ssl_prefer_server_ciphers":
                if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1))
                {
                    diagnostics.Warning(d, "not translated: the gateway cannot choose whose cipher order wins; ignored");
                }

                return true;
            case var name when IgnoredSession.Contains(name):
                diagnostics.Warning(d, "TLS session settings are not translated (the platform's session cache and tickets apply); ignored");
                return true;
            case "http2":
                if (diagnostics.RequireSimple(d) && diagnostics.RequireArgs(d, 1, 1) && d.Args[0] != "on")
                {
                    diagnostics.Warning(d, "https listeners always offer HTTP/2 by ALPN; \"http2 off\" is not translated");
                }

                return true;
            default:
                return false;
        }
    }

    public TlsSettings Build(TlsSettings inherited) => _settings.Over(inherited);

    private void Protocols(NginxDirective d)
    {
        var kept = new List<string>();
        foreach (var name in d.Args)
        {
            if (name is "TLSv1.2" or "TLSv1.3")
            {
                kept.Add(name);
            }
            else if (Obsolete.Contains(name))
            {
                diagnostics.Warning(d, $"\"{name}\" is not offered by the gateway (obsolete); left out");
            }
            else
            {
                diagnostics.Error(d, $"invalid value \"{name}\"");
                return;
            }
        }

        if (kept.Count == 0)
        {
            diagnostics.Warning(d, "no protocol the gateway offers is left; the default \"TLSv1.2 TLSv1.3\" applies");
            return;
        }

        _settings = _settings with { Protocols = (string.Join(' ', kept.Distinct()), d) };
    }
}
