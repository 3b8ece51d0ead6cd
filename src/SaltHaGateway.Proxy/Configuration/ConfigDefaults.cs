using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>nginx's defaults where YARP's differ: a 1 MiB request body limit (client_max_body_size 1m), a 60 s
/// read timeout (proxy_read_timeout), and HTTP/1.1 with keep-alive to the upstreams.</summary>
public static class ConfigDefaults
{
    public const long MaxRequestBodySize = 1024 * 1024;
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    public static RouteConfig Apply(RouteConfig route) =>
        route.MaxRequestBodySize is null ? route with { MaxRequestBodySize = MaxRequestBodySize } : route;

    public static ClusterConfig Apply(ClusterConfig cluster)
    {
        var request = cluster.HttpRequest ?? new ForwarderRequestConfig();
        return cluster with
        {
            HttpRequest = request with
            {
                ActivityTimeout = request.ActivityTimeout ?? ReadTimeout,
                Version = request.Version ?? System.Net.HttpVersion.Version11,
                VersionPolicy = request.VersionPolicy ?? System.Net.Http.HttpVersionPolicy.RequestVersionOrLower,
            },
        };
    }
}
