using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>nginx's defaults where YARP's differ: a 1 MiB request body limit (client_max_body_size 1m), a 60 s
/// read timeout (proxy_read_timeout), and HTTP/1.1 with keep-alive to the upstreams.</summary>
public static class ConfigDefaults
{
    public const long MaxRequestBodySize = 1024 * 1024;
    public static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Route metadata keys the gateway adds itself; users cannot set them.</summary>
    public const string InternalPrefix = "SaltHaGateway.";

    public static RouteConfig Apply(RouteConfig route)
    {
        var limit = route.MaxRequestBodySize ?? MaxRequestBodySize;
        // YARP 2.3 does not notice a route whose only change is MaxRequestBodySize; carrying the value in the
        // metadata makes such an edit a change it sees.
        var metadata = new Dictionary<string, string>(route.Metadata ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase)
        {
            [InternalPrefix + "MaxRequestBodySize"] = limit.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        return route with { MaxRequestBodySize = limit, Metadata = metadata };
    }

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
