using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>YARP's per-cluster HTTP client with the gateway's settings: the upstream's connect timeout, nginx-like
/// idle keep-alive, and connections (with TLS to https destinations) opened through <see cref="UpstreamConnections"/>.</summary>
public sealed class GatewayHttpClientFactory(ILogger<ForwarderHttpClientFactory> logger, UpstreamConnections connections, UpstreamTable upstreams)
    : ForwarderHttpClientFactory(logger)
{
    /// <summary>The settings each cluster's current client was built with, to tell whether a reload changed them.</summary>
    private readonly ConcurrentDictionary<string, HandlerSettings> _built = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>What a handler is built from. YARP only compares its own HttpClient config, so a change of these
    /// (a new ConnectTimeout, a replaced certificate file) would otherwise keep the old handler.</summary>
    private sealed record HandlerSettings(TimeSpan ConnectTimeout, UpstreamTls Tls);

    protected override bool CanReuseOldClient(ForwarderHttpClientContext context) =>
        base.CanReuseOldClient(context)
        && _built.TryGetValue(context.ClusterId, out var old)
        && old == Settings(context);

    protected override void ConfigureHandler(ForwarderHttpClientContext context, SocketsHttpHandler handler)
    {
        base.ConfigureHandler(context, handler);
        var settings = Settings(context);
        handler.ConnectTimeout = settings.ConnectTimeout;
        handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60);
        // https destinations get their TLS here too (so SNI, verification and the failure reason follow proxy_ssl_*);
        // through a configured web proxy the callback reaches the proxy, and TLS is left to the handler.
        var tls = handler.UseProxy ? null : settings.Tls;
        handler.ConnectCallback = (connect, ct) => connections.ConnectAsync(connect, tls, ct);
        // No W3C trace headers upstream, as from nginx.
        handler.ActivityHeadersPropagator = null;
        _built[context.ClusterId] = settings;
    }

    private HandlerSettings Settings(ForwarderHttpClientContext context)
    {
        // The loaded config has the certificate files already read; parse the metadata only for a cluster it lacks.
        var options = upstreams.Config?.Upstreams.TryGetValue(context.ClusterId, out var loaded) == true
            ? loaded
            : UpstreamOptions.Parse(new ClusterConfig { Metadata = context.NewMetadata }, "", []);
        return new HandlerSettings(options.ConnectTimeout, options.Tls);
    }
}
