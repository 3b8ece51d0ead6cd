namespace SaltHaGateway.Import.Nginx;

/// <summary>A translated <c>location</c>: what it matches, its effective settings, and what serves it.</summary>
internal sealed record LocationModel(
    LocationPattern Pattern,
    NginxDirective Source,
    ProxySettings Settings,
    ProxyPassTarget? ProxyPass,
    NginxDirective? CheckStatus);

/// <summary>A translated <c>server</c> block.</summary>
/// <param name="Tls">Its effective ssl_* settings (used when a listener is ssl).</param>
/// <param name="Redirect">Its <c>return 301 https://$host$request_uri;</c>: the server only redirects to https.</param>
internal sealed record ServerModel(
    NginxDirective Source,
    IReadOnlyList<ListenAddress> Listens,
    IReadOnlyList<string> Names,
    IReadOnlyList<LocationModel> Locations,
    TlsSettings? Tls = null,
    NginxDirective? Redirect = null)
{
    public bool IsDefaultFor(string url) => Listens.Any(l => l.Url == url && l.DefaultServer);
}
