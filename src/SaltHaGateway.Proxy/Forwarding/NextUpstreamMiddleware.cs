using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Observability;
using SaltHaGateway.Proxy.Sticky;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>
/// Chooses the server for each try and moves to the next one on failure, as nginx's upstream module does:
/// the balancer picks among usable servers (backups only when no primary is left); a connection error, a failed TLS
/// handshake (logged with its reason) or a timeout counts against the server (max_fails/fail_timeout) and, for
/// <c>proxy_next_upstream error timeout</c>, the request goes to another server unless it is a POST/PATCH/LOCK that
/// may already have been sent, the response has started, or the tries or time are used up. With no usable server
/// the client gets 502 at once.
/// Runs in YARP's proxy pipeline in place of its load balancing and passive health steps, and forwards each try itself
/// with YARP's <see cref="IHttpForwarder"/>: YARP's limits and forwarder steps, which follow in the pipeline, are only
/// reached by the start-up warm-up (this does their work without their per-request cost).
/// </summary>
public sealed partial class NextUpstreamMiddleware(
    RequestDelegate next,
    UpstreamTable upstreams,
    IUpstreamHealthSource health,
    ProxyMetrics metrics,
    TimeProvider time,
    ProxyPathWarmup warmup,
    IHttpForwarder forwarder,
    ILogger<NextUpstreamMiddleware> logger)
{

    public async Task InvokeAsync(HttpContext context)
    {
        var feature = context.GetReverseProxyFeature();
        if (warmup.Claims(context, out var warmupTarget))
        {
            // The start-up warm-up also compiles YARP's own limits and forwarder steps, which follow this one.
            feature.AvailableDestinations = warmupTarget;
            await next(context);
            return;
        }
        ApplyBodyLimit(context, feature.Route.Config);
        var upstream = upstreams.Resolve(feature.Route.Cluster!);
        var routeId = feature.Route.Config.RouteId;
        var started = time.GetTimestamp();

        var sticky = upstream.Sticky;
        var server = sticky is null ? null : StickyRouting.Lookup(context, upstream);
        var bound = server is not null;
        server ??= upstream.Pick(context, null);
        if (server is null)
        {
            if (upstream.ShouldWarnNoLiveServers())
            {
                // Copies for the lambdas here and below: capturing `upstream` itself would allocate a closure on
                // every request.
                var name = upstream.Name;
                OffRequestPath(() => LogNoLiveUpstreams(logger, name));
            }
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            metrics.RecordRequest(ref upstream.LastNoServerSeries, ref upstream.Duration, routeId, upstream.Name, "",
                StatusCodes.Status502BadGateway, time.GetElapsedTime(started).TotalSeconds);
            return;
        }

        StickyResponse? learnAtHeader = null;
        if (sticky is { AtHeader: true } or { Mode: StickyMode.Cookie })
        {
            // Learned from the response headers, before the body is sent (nginx's "header"; a cookie is a header).
            learnAtHeader = new StickyResponse(context, upstream);
            context.Response.OnStarting(StickyResponse.OnStarting, learnAtHeader);
        }

        bool[]? tried = null;
        var tries = 0;
        while (true)
        {
            tries++;
            feature.AvailableDestinations = server.Single;
            if (learnAtHeader is not null) learnAtHeader.Server = server;
            var active = server.Active;
            Interlocked.Increment(ref active.Count);
            try
            {
                await Forward(context, feature, server.Destination);
            }
            finally
            {
                Interlocked.Decrement(ref active.Count);
            }

            var error = context.Features.Get<IForwarderErrorFeature>();
            if (error is null)
            {
                upstream.RecordSuccess(server);
                if (sticky is not null && learnAtHeader is null) StickyRouting.OnResponse(context, upstream, server);
                break;
            }
            var kind = UpstreamFailure.Classify(error);
            if (kind == UpstreamFailureKind.None) break;

            if (kind == UpstreamFailureKind.TlsError)
            {
                var (name, failed, why) = (upstream.Name, server, UpstreamFailure.TlsReason(error.Exception) ?? "unknown");
                OffRequestPath(() => LogTlsFailed(logger, name, failed.Name, why));
            }
            if (upstream.RecordFailure(server))
            {
                var (name, failed, reason) = (upstream.Name, server, UpstreamFailure.Reason(kind));
                OffRequestPath(() => LogServerDisabled(logger, name, failed.Name, reason, failed.Options.FailTimeout.TotalSeconds));
            }
            if (kind is UpstreamFailureKind.ConnectError or UpstreamFailureKind.ConnectTimeout or UpstreamFailureKind.TlsError)
                health.ReportConnectFailure(upstream.Name, server.Name);

            if (!MayTryNext(context, upstream, kind, tries, started)) break;
            tried ??= new bool[upstream.All.Count];
            tried[server.Index] = true;
            var nextServer = upstream.Pick(context, tried);
            if (nextServer is null) break;

            metrics.RecordRetry(upstream.Name, UpstreamFailure.Reason(kind));
            if (bound)
            {
                // The bound server failed: the session goes on elsewhere (nginx picks another server too).
                Interlocked.Increment(ref upstream.StickyCounters!.Rebinds);
                bound = false;
            }
            context.Response.Clear();
            context.Features.Set<IForwarderErrorFeature>(null);
            feature.ProxiedDestination = null;
            server = nextServer;
        }
        metrics.RecordRequest(ref server.LastSeries, ref upstream.Duration, routeId, upstream.Name, server.Name,
            context.Response.StatusCode, time.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>One try to one server, as YARP's forwarder step sends it.</summary>
    private ValueTask<ForwarderError> Forward(HttpContext context, IReverseProxyFeature feature, DestinationState destination)
    {
        feature.ProxiedDestination = destination;
        var cluster = feature.Cluster;
        return forwarder.SendAsync(context, destination.Model.Config.Address, cluster.HttpClient,
            cluster.Config.HttpRequest ?? ForwarderRequestConfig.Empty, feature.Route.Transformer);
    }

    /// <summary>The route's request body limit (nginx's client_max_body_size), as YARP's limits step sets it.</summary>
    private static void ApplyBodyLimit(HttpContext context, Yarp.ReverseProxy.Configuration.RouteConfig route)
    {
        if (route.MaxRequestBodySize is not { } limit) return;
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            size.MaxRequestBodySize = limit == -1 ? null : limit;
    }

    /// <summary>Learns the sticky session from the response headers of the server that answered (see OnStarting).</summary>
    private sealed class StickyResponse(HttpContext context, Upstream upstream)
    {
        public UpstreamServer? Server;
        private readonly HttpContext _context = context;
        private readonly Upstream _upstream = upstream;

        public static readonly Func<object, Task> OnStarting = state =>
        {
            var self = (StickyResponse)state;
            // A response made by the gateway itself (502, no server) binds nothing.
            if (self.Server is { } server && self._context.Features.Get<IForwarderErrorFeature>() is null)
                StickyRouting.OnResponse(self._context, self._upstream, server);
            return Task.CompletedTask;
        };
    }

    /// <summary>
    /// Logs from the thread pool: the request that met a failure is retried at once instead of waiting for the log
    /// sink (the first warning of a process costs about 8 ms of formatting and console output, measured).
    /// </summary>
    private static void OffRequestPath(Action log) => ThreadPool.UnsafeQueueUserWorkItem(static l => l(), log, preferLocal: false);

    private bool MayTryNext(HttpContext context, Upstream upstream, UpstreamFailureKind kind, int tries, long started)
    {
        var conditions = upstream.Options.NextUpstream;
        var wanted = kind is UpstreamFailureKind.ConnectTimeout or UpstreamFailureKind.Timeout
            ? NextUpstreamConditions.Timeout
            : NextUpstreamConditions.Error;
        if ((conditions & wanted) == 0) return false;
        if (context.Response.HasStarted || context.RequestAborted.IsCancellationRequested) return false;
        if (tries >= upstream.MaxTries) return false;
        if (upstream.Options.NextUpstreamTimeout > TimeSpan.Zero && time.GetElapsedTime(started) >= upstream.Options.NextUpstreamTimeout)
            return false;

        // Nothing reached the server when the connect failed, so any request may move on (nginx does the same).
        var sent = kind is UpstreamFailureKind.Error or UpstreamFailureKind.Timeout;
        if (sent && IsNonIdempotent(context.Request.Method) && (conditions & NextUpstreamConditions.NonIdempotent) == 0)
            return false;
        // A body that was (partly) streamed to the failed server cannot be sent again.
        if (sent && HasBody(context.Request)) return false;
        return true;
    }

    private static bool IsNonIdempotent(string method) =>
        HttpMethods.IsPost(method) || HttpMethods.IsPatch(method) || string.Equals(method, "LOCK", StringComparison.OrdinalIgnoreCase);

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Warning, Message = "Upstream {Upstream} server {Server} temporarily disabled for {FailTimeoutSeconds}s after {Reason}")]
    private static partial void LogServerDisabled(ILogger logger, string upstream, string server, string reason, double failTimeoutSeconds);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Upstream {Upstream} server {Server}: TLS handshake failed (tls_error): {TlsReason}")]
    private static partial void LogTlsFailed(ILogger logger, string upstream, string server, string tlsReason);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Error, Message = "No live upstreams in {Upstream}: answered 502")]
    private static partial void LogNoLiveUpstreams(ILogger logger, string upstream);
}
