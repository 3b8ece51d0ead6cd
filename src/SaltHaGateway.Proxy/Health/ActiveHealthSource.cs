using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Health;

/// <summary>The active health checker as the proxy sees it: verdicts per server, and live-traffic connect
/// failures passed back as hints to probe now.</summary>
public sealed class ActiveHealthSource : IUpstreamHealthSource
{
    private readonly UpstreamHealthMonitor _monitor;

    public ActiveHealthSource(UpstreamHealthMonitor monitor)
    {
        _monitor = monitor;
        monitor.Changed += change => Changed?.Invoke(change.Upstream, change.Server, change.IsUp);
    }

    public event Action<string, string, bool>? Changed;

    public bool IsUp(string upstream, string server) => _monitor.IsUp(upstream, server);

    public void ReportConnectFailure(string upstream, string server) => _monitor.ReportPassiveFailure(upstream, server);
}
