using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>
/// Refuses, as nginx does and before anything is sent upstream, the requests Kestrel accepts but a proxy should not
/// pass on (RFC 9112 §6.1; request smuggling):
/// <list type="bullet">
/// <item><c>Content-Length</c> together with <c>Transfer-Encoding</c>: 400 (Kestrel reads such a body as chunked and
/// moves the length to <c>X-Content-Length</c>, which is how it is seen here; a client's own <c>X-Content-Length</c> on
/// a chunked request is refused as well);</item>
/// <item><c>Transfer-Encoding</c> sent twice (400), or with a coding other than <c>chunked</c> (501: the gateway
/// cannot decode it, and would otherwise pass the coded bytes on as plain);</item>
/// <item>a plain HTTP <c>CONNECT</c>: 400, there is no tunnel to a master (HTTP/2 WebSockets use the extended
/// CONNECT and pass);</item>
/// <item>a <c>Content-Length</c> over the route's <c>MaxRequestBodySize</c>: 413 at once, where Kestrel would only
/// notice once the request head had gone upstream.</item>
/// </list>
/// The connection is closed right after the answer, without reading the body: nothing the client sent after the
/// header is read as a request, nor waited for.
/// </summary>
public sealed class EarlyRefusalMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var status = 0;
        if (request.Headers.TransferEncoding is { Count: > 0 } te)
        {
            if (te.Count > 1 || request.Headers.ContainsKey("X-Content-Length")) status = StatusCodes.Status400BadRequest;
            else if (!string.Equals(te[0]?.Trim(), "chunked", StringComparison.OrdinalIgnoreCase)) status = StatusCodes.Status501NotImplemented;
        }
        else if (request.ContentLength is { } length && context.GetReverseProxyFeature().Route.Config.MaxRequestBodySize is > 0 and var limit && length > limit)
        {
            status = StatusCodes.Status413PayloadTooLarge;
        }
        else if (HttpMethods.IsConnect(request.Method) && context.Features.Get<IHttpExtendedConnectFeature>() is not { IsExtendedConnect: true })
        {
            status = StatusCodes.Status400BadRequest;
        }
        if (status == 0) return next(context);
        context.Response.StatusCode = status;
        context.Response.Headers.Connection = "close";
        // Kestrel would otherwise read and drop the body before closing, waiting for bytes that may never come.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize) bodySize.MaxRequestBodySize = 0;
        return Task.CompletedTask;
    }
}
