using Prometheus;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Observability;

/// <summary>Fills <c>saltha_upstream_up{upstream,server}</c> from the upstreams' live state at each scrape, and
/// drops the series of servers that left the config.</summary>
public sealed class UpstreamUpGauge
{
    private readonly UpstreamTable _upstreams;
    private readonly Gauge _gauge;
    private HashSet<(string, string)> _published = [];

    public UpstreamUpGauge(UpstreamTable upstreams, ProxyMetrics metrics)
    {
        _upstreams = upstreams;
        _gauge = metrics.UpstreamUp;
    }

    public void Update()
    {
        var now = new HashSet<(string, string)>();
        foreach (var upstream in _upstreams.All)
        {
            foreach (var server in upstream.All)
            {
                now.Add((upstream.Name, server.Name));
                _gauge.WithLabels(upstream.Name, server.Name).Set(upstream.IsUsable(server) ? 1 : 0);
            }
        }
        foreach (var (u, s) in _published)
        {
            if (!now.Contains((u, s))) _gauge.RemoveLabelled(u, s);
        }
        _published = now;
    }
}
