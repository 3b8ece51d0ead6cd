using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;
using SaltHaGateway.Vrrp;

namespace SaltHaGateway.Hosting;

/// <summary>
/// The conditions this gateway offers to VRRP tracking (<c>"Track": [{ "Condition": "…" }]</c>):
/// <c>listener</c> — the proxy listeners are bound and serving; <c>upstream:NAME</c> — at least one server of that
/// upstream may take traffic (by its active checks when it has them, else by not being marked <c>down</c>).
/// Conditions are kept current on every health change and config reload, so a node that can no longer proxy
/// lowers its priority at once and gives the VIP away.
/// </summary>
public sealed class VrrpTracking : IGatewayConfigListener
{
    private readonly Dictionary<string, TrackedCondition> _upstreams;
    private UpstreamHealthMonitor? _health;
    private GatewayProxyConfig _config;

    public VrrpTracking(GatewayProxyConfig initial)
    {
        _config = initial;
        _upstreams = initial.Clusters.ToDictionary(c => c.ClusterId, c => new TrackedCondition($"upstream:{c.ClusterId}", initiallyUp: true),
            StringComparer.OrdinalIgnoreCase);
    }

    public TrackedCondition Listener { get; } = new("listener", initiallyUp: false);

    public IEnumerable<ITrackedCondition> Conditions => _upstreams.Values.Prepend<ITrackedCondition>(Listener);

    /// <summary>Starts following the health checker; called once the host is built.</summary>
    public void Follow(UpstreamHealthMonitor health)
    {
        _health = health;
        health.Changed += _ => Refresh();
        Refresh();
    }

    public void Applied(GatewayProxyConfig config)
    {
        _config = config;
        Refresh();
    }

    private void Refresh()
    {
        var health = _health;
        if (health is null) return;
        foreach (var (name, condition) in _upstreams)
        {
            condition.Set(health.IsChecked(name) ? health.AnyUp(name) : HasServerNotDown(name));
        }
    }

    private bool HasServerNotDown(string upstream) =>
        _config.Servers.TryGetValue(upstream, out var servers) && servers.Values.Any(s => !s.Down);
}
