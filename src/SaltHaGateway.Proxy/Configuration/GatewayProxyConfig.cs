using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>A validated snapshot of the file's routes and clusters with the gateway's own options parsed, ready to
/// hand to YARP. Immutable; a reload builds a new one.</summary>
public sealed record GatewayProxyConfig(
    IReadOnlyList<RouteConfig> Routes,
    IReadOnlyList<ClusterConfig> Clusters,
    IReadOnlyDictionary<string, UpstreamOptions> Upstreams,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, ServerOptions>> Servers,
    IReadOnlyDictionary<string, RouteOptions> RouteOptions,
    string Revision)
{
    /// <summary>Whether any route has allow/deny rules (so routes without them skip the check entirely).</summary>
    public bool HasAccessRules { get; } = RouteOptions.Values.Any(o => o.Access is not null);
}
