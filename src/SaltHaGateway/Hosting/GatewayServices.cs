using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Health;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Hosting;

/// <summary>The composition of the subsystems, shared by <c>run</c> and <c>check-config</c>.</summary>
public static class GatewayServices
{
    /// <summary>Validators other subsystems contribute to the proxy config (the health checker's <c>Check</c>).</summary>
    public static void AddConfigValidators(IServiceCollection services)
    {
        services.AddSingleton<IUpstreamOptionsValidator>(new HealthCheckTargets());
    }

    /// <summary>The active health checker, feeding the proxy's availability and told about every config.</summary>
    public static void AddUpstreamHealth(IServiceCollection services)
    {
        services.AddUpstreamHealthChecks();
        services.AddSingleton<IUpstreamHealthSource, ActiveHealthSource>();
        services.AddSingleton<IGatewayConfigListener>(sp => new HealthCheckTargets(sp.GetRequiredService<UpstreamHealthMonitor>(), sp.GetRequiredService<UpstreamTable>()));
    }
}
