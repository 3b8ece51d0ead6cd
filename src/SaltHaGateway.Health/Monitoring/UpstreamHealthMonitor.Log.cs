using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Health;

public sealed partial class UpstreamHealthMonitor
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, EventName = "CheckPeerEnabled", Level = LogLevel.Warning,
            Message = "enable check peer: {Server} in upstream {Upstream}: {Reason}")]
        public static partial void PeerEnabled(ILogger logger, string upstream, string server, string reason);

        [LoggerMessage(EventId = 3002, EventName = "CheckPeerDisabled", Level = LogLevel.Error,
            Message = "disable check peer: {Server} in upstream {Upstream}: {Reason}")]
        public static partial void PeerDisabled(ILogger logger, string upstream, string server, string reason);

        [LoggerMessage(EventId = 3003, EventName = "CheckFailed", Level = LogLevel.Debug,
            Message = "check failed for {Server} in upstream {Upstream}: {Reason} (fall {Fall})")]
        public static partial void CheckFailed(ILogger logger, string upstream, string server, string reason, long fall);

        [LoggerMessage(EventId = 3004, EventName = "CheckDiscarded", Level = LogLevel.Warning,
            Message = "check of {Probe} timed out while this process lagged {LagMs:0} ms (timeout {TimeoutMs:0} ms); not counted, checking again shortly")]
        public static partial void ProbeDiscarded(ILogger logger, string probe, double lagMs, double timeoutMs);

        [LoggerMessage(EventId = 3005, EventName = "ChecksApplied", Level = LogLevel.Information,
            Message = "health checks generation {Generation}: {Targets} servers ({Kept} kept their state), {Probes} probe loops")]
        public static partial void Applied(ILogger logger, long generation, int targets, int kept, int probes);

        [LoggerMessage(EventId = 3006, EventName = "ChangedHandlerFailed", Level = LogLevel.Error,
            Message = "a health change handler failed for {Server} in upstream {Upstream}")]
        public static partial void ChangedHandlerFailed(ILogger logger, Exception exception, string upstream, string server);

        [LoggerMessage(EventId = 3007, EventName = "HttpCheckWithoutHost", Level = LogLevel.Warning,
            Message = "the http check of {Server} in upstream {Upstream} sends HTTP/1.1 without a Host header; most servers answer 400 (add Host to check_http_send or give the server a Host)")]
        public static partial void HttpCheckWithoutHost(ILogger logger, string upstream, string server);

        [LoggerMessage(EventId = 3008, EventName = "FirstRoundIncomplete", Level = LogLevel.Warning,
            Message = "{Pending} servers had no check result after {BoundMs:0} ms; they keep their default state")]
        public static partial void FirstRoundIncomplete(ILogger logger, int pending, double boundMs);

        [LoggerMessage(EventId = 3009, EventName = "CheckRecordFailed", Level = LogLevel.Error,
            Message = "recording the check result of {Probe} failed")]
        public static partial void RecordFailed(ILogger logger, Exception exception, string probe);
    }
}
