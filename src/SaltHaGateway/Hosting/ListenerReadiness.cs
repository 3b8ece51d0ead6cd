using Microsoft.Extensions.Diagnostics.HealthChecks;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Hosting;

/// <summary>Set once every listener is bound and the first health round is done; read by /readyz.</summary>
public sealed class ListenerReadiness
{
    private volatile bool _bound;

    public bool Bound => _bound;

    public void MarkBound() => _bound = true;
}

/// <summary>/readyz: the config is loaded, the first round of health checks is done and the listeners are bound.</summary>
public sealed class ReadinessCheck(ListenerReadiness listeners, ConfigFileReloader config, SaltHaGateway.Health.UpstreamHealthMonitor health) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object>
        {
            ["config_generation"] = config.Generation,
            ["config_revision"] = config.Current.Revision,
            ["health_first_round_completed"] = health.FirstRoundCompleted,
        };
        if (config.LastErrors.Count > 0) data["last_reload_errors"] = config.LastErrors.Select(e => e.ToString()).ToArray();
        return Task.FromResult(listeners.Bound
            ? HealthCheckResult.Healthy($"config generation {config.Generation} in force; listeners bound", data)
            : HealthCheckResult.Unhealthy("listeners not bound yet", data: data));
    }
}
