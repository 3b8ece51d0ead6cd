using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Upstreams;

/// <summary>Builds every upstream as soon as YARP has a config (at start and after each reload), so the health
/// checker knows its targets and the metrics show every server before the first request arrives.</summary>
/// <remarks>YARP's config manager depends on every <see cref="IConfigChangeListener"/>, so the state lookup (which is
/// that manager) is resolved when needed, not injected.</remarks>
public sealed class UpstreamWarmup(UpstreamTable upstreams, IServiceProvider services) : IConfigChangeListener, IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        ResolveAll();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void ConfigurationApplied(IReadOnlyList<IProxyConfig> proxyConfigs) => ResolveAll();

    public void ConfigurationApplyingFailed(IReadOnlyList<IProxyConfig> proxyConfigs, Exception exception) { }

    public void ConfigurationLoaded(IReadOnlyList<IProxyConfig> proxyConfigs) { }

    public void ConfigurationLoadingFailed(IProxyConfigProvider configProvider, Exception exception) { }

    private void ResolveAll()
    {
        foreach (var cluster in services.GetRequiredService<IProxyStateLookup>().GetClusters())
        {
            if (cluster.Model is not null) upstreams.Resolve(cluster);
        }
    }
}
