using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Health;

public static class HealthServiceCollectionExtensions
{
    /// <summary>
    /// Registers the process-wide <see cref="UpstreamHealthMonitor"/> with real-socket probes and metrics in
    /// prometheus-net's default registry (what /metrics serves).
    /// </summary>
    public static IServiceCollection AddUpstreamHealthChecks(this IServiceCollection services, Action<HealthMonitorOptions>? configure = null)
    {
        var options = new HealthMonitorOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options);
        services.TryAddSingleton<IHealthProber, SocketHealthProber>();
        services.TryAddSingleton(_ => new HealthMetrics(Prometheus.Metrics.DefaultRegistry));
        services.TryAddSingleton(sp => new UpstreamHealthMonitor(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<UpstreamHealthMonitor>>(),
            sp.GetRequiredService<IHealthProber>(),
            sp.GetRequiredService<HealthMetrics>(),
            sp.GetRequiredService<HealthMonitorOptions>()));
        return services;
    }
}
