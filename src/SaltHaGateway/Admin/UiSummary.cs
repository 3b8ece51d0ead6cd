using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Observability;

namespace SaltHaGateway.Admin;

/// <summary>Body of <c>GET /ui/summary</c>: what the admin page shows, in one answer.</summary>
public sealed record UiSummary(PairStatus Pair, IReadOnlyList<UiServer> Servers, RequestRates Rates);

/// <summary>One upstream server of this node: the pair status's view plus the active check's counters and its last
/// results (<see cref="StatusRow.Recent"/>). The check fields are null for a server without an active check.</summary>
public sealed record UiServer(string Upstream, string Server, bool Up, bool? CheckUp, bool Drained, DateTimeOffset? Since,
    string? Check, string? LastReason, string? LastDetail, long? Rise, long? Fall, DateTimeOffset? LastCheckAt, string Recent);

/// <summary>Requests answered (all, and with a 5xx status) since start, and per second over the last interval
/// (null until there are two samples).</summary>
public sealed record RequestRates(double Requests, double ServerErrors, double? IntervalSeconds, double? RequestsPerSecond, double? ServerErrorsPerSecond);

/// <summary>Builds the admin page's summary: the pair status, this node's servers with their check counters, the rates.</summary>
public sealed class UiSummarySource(PairStatusSource pair, UpstreamHealthMonitor health, RequestRateSampler rates)
{
    public async Task<UiSummary> GetAsync(CancellationToken ct)
    {
        var status = await pair.PairAsync(ct);
        var rows = health.Snapshot().Rows.ToDictionary(r => (r.Upstream, r.Name));
        var servers = status.Local.Upstreams.Select(s =>
        {
            var row = rows.GetValueOrDefault((s.Upstream, s.Server));
            return new UiServer(s.Upstream, s.Server, s.Up, s.CheckUp, s.Drained, s.Since, row?.Type, row?.LastReason, row?.LastDetail,
                row?.Rise, row?.Fall, row?.LastCheckAt, row?.Recent ?? "");
        }).ToArray();
        return new UiSummary(status, servers, rates.Current());
    }
}

/// <summary>
/// Request and 5xx rates, computed between two samples of the proxy's request counters taken when the page asks: a
/// new sample at most once a second, so several open pages share one interval.
/// </summary>
public sealed class RequestRateSampler(ProxyMetrics metrics, TimeProvider time)
{
    private static readonly TimeSpan MinInterval = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private Sample? _previous;
    private Sample? _latest;

    private sealed record Sample(long Timestamp, double Requests, double ServerErrors);

    public RequestRates Current()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            if (_latest is null || time.GetElapsedTime(_latest.Timestamp, now) >= MinInterval)
            {
                var (requests, errors) = metrics.RequestTotals();
                _previous = _latest;
                _latest = new Sample(now, requests, errors);
            }
            if (_previous is null) return new RequestRates(_latest.Requests, _latest.ServerErrors, null, null, null);
            var seconds = time.GetElapsedTime(_previous.Timestamp, _latest.Timestamp).TotalSeconds;
            return new RequestRates(_latest.Requests, _latest.ServerErrors, seconds,
                (_latest.Requests - _previous.Requests) / seconds, (_latest.ServerErrors - _previous.ServerErrors) / seconds);
        }
    }
}
