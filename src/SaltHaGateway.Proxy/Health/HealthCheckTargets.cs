using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Health;

/// <summary>
/// Turns the upstreams' <c>Check</c> options into the checker's targets (and validates them as part of the config):
/// clusters in config order, primaries then backups; servers marked <c>down</c> and clusters without <c>Check</c>
/// are not probed, so they have no status-page row and count as up for the checker.
/// </summary>
public sealed class HealthCheckTargets : IUpstreamOptionsValidator, IGatewayConfigListener
{
    private readonly UpstreamHealthMonitor? _monitor;
    private readonly UpstreamTable? _upstreams;

    public HealthCheckTargets(UpstreamHealthMonitor? monitor = null, UpstreamTable? upstreams = null)
    {
        _monitor = monitor;
        _upstreams = upstreams;
    }

    public void Validate(string upstream, UpstreamOptions options, string path, List<ConfigError> errors)
    {
        if (options.Check is null) return;
        if (!CheckSpec.TryParse(options.Check, options.CheckHttpSend, options.CheckHttpExpectAlive, options.CheckKeepaliveRequests, out _, out var problems))
        {
            foreach (var p in problems) errors.Add(new($"{path}.Metadata.Check", p));
        }
    }

    /// <summary>Applies a validated config's targets to the checker (at start and after every reload).</summary>
    public void Applied(GatewayProxyConfig config)
    {
        if (_monitor is null) return;
        _monitor.Apply(Build(config));
        _upstreams?.RefreshHealth();
    }

    public static IReadOnlyList<CheckTarget> Build(GatewayProxyConfig config)
    {
        var targets = new List<CheckTarget>();
        foreach (var cluster in config.Clusters)
        {
            var options = config.Upstreams[cluster.ClusterId];
            if (options.Check is null || cluster.Destinations is null) continue;
            if (!CheckSpec.TryParse(options.Check, options.CheckHttpSend, options.CheckHttpExpectAlive, options.CheckKeepaliveRequests, out var spec, out _))
                continue;
            // To an https destination, https and ssl_hello checks meet the server as the proxy does (proxy_ssl_*).
            var tlsSpec = spec! with { Tls = options.Tls };
            var servers = config.Servers[cluster.ClusterId];
            var ordered = cluster.Destinations.Where(d => !servers[d.Key].Backup).Concat(cluster.Destinations.Where(d => servers[d.Key].Backup));
            foreach (var (id, destination) in ordered)
            {
                if (servers[id].Down) continue;
                var https = destination.Address.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
                if (CheckTargetFactory.TryCreate(cluster.ClusterId, UpstreamTable.NameOf(destination.Address), destination.Address,
                        destination.Health, destination.Host, https ? tlsSpec : spec!, out var target, out _))
                    targets.Add(target!);
            }
        }
        return targets;
    }
}
