namespace SaltHaGateway.Proxy.Import;

/// <summary>A translated <c>location</c>: what it matches, its effective settings, and what serves it.</summary>
internal sealed record LocationModel(
    LocationPattern Pattern,
    NginxDirective Source,
    ProxySettings Settings,
    ProxyPassTarget? ProxyPass,
    NginxDirective? CheckStatus);

/// <summary>A translated <c>server</c> block.</summary>
internal sealed record ServerModel(
    NginxDirective Source,
    IReadOnlyList<ListenAddress> Listens,
    IReadOnlyList<string> Names,
    IReadOnlyList<LocationModel> Locations)
{
    public bool IsDefaultFor(string url) => Listens.Any(l => l.Url == url && l.DefaultServer);
}
