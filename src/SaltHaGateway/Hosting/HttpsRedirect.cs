using Microsoft.AspNetCore.Http.Features;
using SaltHaGateway.Admin;

namespace SaltHaGateway.Hosting;

/// <summary>
/// <c>Gateway:RedirectHttps</c>: on these plain proxy ports every request is answered with
/// <c>301 https://$host[:port]$request_uri</c>, as nginx's <c>listen 80; return 301 https://$host$request_uri;</c>.
/// The port is the gateway's first https listener's, left out when it is 443. The admin listener and the control
/// socket are never redirected, nor this process's own warm-up requests.
/// </summary>
public sealed class HttpsRedirect(IReadOnlyList<int> ports, int httpsPort, int adminPort, Proxy.Forwarding.ProxyPathWarmup warmup)
{
    public Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (AdminListenerPolicy.KindOf(context.Connection, adminPort) != ListenerKind.Proxy
            || !ports.Contains(context.Connection.LocalPort) || warmup.Claims(context, out _))
            return next();
        context.Response.StatusCode = StatusCodes.Status301MovedPermanently;
        context.Response.Headers.Location = Location(context);
        return Task.CompletedTask;
    }

    /// <summary>nginx's $host: the Host header's name, lower-cased, without its port; the local address without one.</summary>
    public string Location(HttpContext context)
    {
        var host = context.Request.Host.HasValue ? context.Request.Host.Host.ToLowerInvariant() : LocalAddress(context.Connection);
        var requestUri = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw
            ? raw
            : context.Request.PathBase + context.Request.Path + context.Request.QueryString;
        return httpsPort == 443 ? $"https://{host}{requestUri}" : $"https://{host}:{httpsPort}{requestUri}";
    }

    private static string LocalAddress(ConnectionInfo connection)
    {
        var ip = connection.LocalIpAddress is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : connection.LocalIpAddress;
        return ip is { AddressFamily: System.Net.Sockets.AddressFamily.InterNetworkV6 } ? $"[{ip}]" : $"{ip}";
    }
}
