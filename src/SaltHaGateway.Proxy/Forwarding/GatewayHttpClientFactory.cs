using Microsoft.Extensions.Logging;
using SaltHaGateway.Proxy.Configuration;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>YARP's per-cluster HTTP client with the gateway's settings: the upstream's connect timeout, nginx-like
/// idle keep-alive, and connections opened through <see cref="UpstreamConnections"/>.</summary>
public sealed class GatewayHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, UpstreamConnections connections)
    : ForwarderHttpClientFactory(logger)
{
    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var options = UpstreamOptions.Parse(new ClusterConfig { Metadata = context.NewMetadata }, "", []);
        handler.ConnectTimeout = options.ConnectTimeout;
        handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60);
        handler.ConnectCallback = connections.ConnectAsync;
        // No W3C trace headers upstream, as from nginx.
        handler.ActivityHeadersPropagator = null;
    }
}
