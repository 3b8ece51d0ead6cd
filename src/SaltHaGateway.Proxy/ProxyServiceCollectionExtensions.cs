using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Forwarding;
using SaltHaGateway.Proxy.Observability;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>Registers what validating a config needs: YARP's validators, the gateway's header transforms and any
    /// <see cref="IUpstreamOptionsValidator"/>. Enough on its own for <c>check-config</c>.</summary>
    public static IReverseProxyBuilder AddGatewayConfigValidation(this IServiceCollection services)
    {
        services.TryAddSingleton<GatewayConfigLoader>();
        return services.AddReverseProxy().AddTransforms<NginxHeaderTransforms>();
    }

    /// <summary>The proxy: YARP fed from the gateway's file, nginx's balancing and failure handling, hot reload.</summary>
    public static IServiceCollection AddGatewayProxy(this IServiceCollection services, GatewayConfigSource source)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(source);
        services.TryAddSingleton<IUpstreamHealthSource, NoActiveHealthChecks>();
        services.AddSingleton(sp =>
        {
            var table = ActivatorUtilities.CreateInstance<UpstreamTable>(sp);
            table.Config = source.Initial;
            return table;
        });
        services.AddSingleton<ProxyMetrics>(_ => new ProxyMetrics());
        services.AddSingleton<Sticky.StickyMetrics>(_ => new Sticky.StickyMetrics());
        services.AddSingleton<Sticky.StickyTables>();
        services.AddSingleton<UpstreamUpGauge>();
        services.AddSingleton<UpstreamConnections>();
        services.AddSingleton<ProxyPathWarmup>();
        services.AddSingleton(new InMemoryConfigProvider(source.Initial.Routes, source.Initial.Clusters, source.Initial.Revision));
        services.AddSingleton<IProxyConfigProvider>(sp => sp.GetRequiredService<InMemoryConfigProvider>());
        services.AddSingleton<ConfigFileReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigFileReloader>());
        services.AddSingleton<UpstreamWarmup>();
        services.AddSingleton<IConfigChangeListener>(sp => sp.GetRequiredService<UpstreamWarmup>());
        services.AddHostedService(sp => sp.GetRequiredService<UpstreamWarmup>());

        services.AddSingleton<IForwarderHttpClientFactory, GatewayHttpClientFactory>();
        services.AddGatewayConfigValidation();
        return services;
    }

    /// <summary>Maps the proxy with the gateway's own steps in place of YARP's balancing and passive checks.</summary>
    /// <param name="first">A step the host puts before all others (e.g. refusing connections on its admin port).</param>
    public static ReverseProxyConventionBuilder MapGatewayProxy(this IEndpointRouteBuilder endpoints, Func<RequestDelegate, RequestDelegate>? first = null) =>
        endpoints.MapReverseProxy(pipeline =>
        {
            if (first is not null) pipeline.Use(first);
            pipeline.UseMiddleware<EarlyRefusalMiddleware>();
            pipeline.UseMiddleware<RouteAccessMiddleware>();
            pipeline.UseMiddleware<NextUpstreamMiddleware>();
        });
}
