using Microsoft.Extensions.DependencyInjection;

namespace SaltHaGateway.Hosting;

/// <summary>The composition of the subsystems, shared by <c>run</c> and <c>check-config</c>.</summary>
public static class GatewayServices
{
    /// <summary>Validators other subsystems contribute to the proxy config (the health checker's <c>Check</c>).</summary>
    public static void AddConfigValidators(IServiceCollection services)
    {
    }
}
