using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>Applies a route's <c>allow</c>/<c>deny</c> rules: a denied client gets 403, as from nginx.</summary>
public sealed class RouteAccessMiddleware(RequestDelegate next, UpstreamTable upstreams)
{
    public Task InvokeAsync(HttpContext context)
    {
        var config = upstreams.Config;
        if (config is null || !config.HasAccessRules) return next(context);
        var routeId = context.GetReverseProxyFeature().Route.Config.RouteId;
        var options = config.RouteOptions.GetValueOrDefault(routeId);
        if (options?.Access is { } access && !access.IsAllowed(ClientAddress.IpOf(context)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        return next(context);
    }
}
