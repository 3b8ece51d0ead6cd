using Prometheus;

namespace SaltHaGateway.Health;

/// <summary>
/// Prometheus series for the checker. Registered in the registry given (the host passes the default one
/// that /metrics serves; tests pass their own).
/// </summary>
public sealed class HealthMetrics
{
    private readonly Gauge _up;
    private readonly Gauge _rise;
    private readonly Gauge _fall;
    private readonly Counter _transitions;
    private readonly Counter _checks;
    private readonly Counter _discarded;
    private readonly Histogram _duration;
    private readonly Gauge _lastSuccess;
    private readonly Gauge _lastResult;
    private readonly Gauge _generation;

    public HealthMetrics(CollectorRegistry registry)
    {
        var f = Prometheus.Metrics.WithCustomRegistry(registry);
        string[] labels = ["upstream", "server"];
        _up = f.CreateGauge("saltha_upstream_check_up", "1 when the active check considers the server up, 0 when it has marked it down (saltha_upstream_up also counts passive failures and down).", labels);
        _rise = f.CreateGauge("saltha_upstream_check_rise", "Current streak of consecutive successful checks (the status page's rise count).", labels);
        _fall = f.CreateGauge("saltha_upstream_check_fall", "Current streak of consecutive failed checks (the status page's fall count).", labels);
        _transitions = f.CreateCounter("saltha_upstream_check_transitions_total", "State changes decided by the active check.", [.. labels, "to"]);
        _checks = f.CreateCounter("saltha_upstream_checks_total", "Checks recorded, by result reason.", [.. labels, "reason"]);
        _discarded = f.CreateCounter("saltha_upstream_check_discarded_total", "Timed-out checks not counted because this process's scheduler lag exceeded the timeout.", labels);
        _duration = f.CreateHistogram("saltha_upstream_check_duration_seconds", "Duration of one check (connect to result).",
            new HistogramConfiguration { LabelNames = labels, Buckets = Histogram.ExponentialBuckets(0.0005, 2, 14) });
        _lastSuccess = f.CreateGauge("saltha_upstream_check_last_success", "1 when the last check passed, 0 when it failed.", labels);
        _lastResult = f.CreateGauge("saltha_upstream_check_last_result", "Always 1; the reason label carries the last check's result (ok, refused, timeout, http_status, ...).", [.. labels, "reason"]);
        _generation = f.CreateGauge("saltha_upstream_check_generation", "Configuration generation of the checker: 1 after start, +1 per reload.");
    }

    internal void Generation(long generation) => _generation.Set(generation);

    internal void Added(CheckTarget t, bool isUp)
    {
        _up.WithLabels(t.Upstream, t.Server).Set(isUp ? 1 : 0);
        _rise.WithLabels(t.Upstream, t.Server).Set(0);
        _fall.WithLabels(t.Upstream, t.Server).Set(0);
    }

    internal void Recorded(CheckTarget t, ProbeResult result, TimeSpan duration, bool isUp, long rise, long fall,
        HealthTransition transition, string? previousReason)
    {
        _up.WithLabels(t.Upstream, t.Server).Set(isUp ? 1 : 0);
        _rise.WithLabels(t.Upstream, t.Server).Set(rise);
        _fall.WithLabels(t.Upstream, t.Server).Set(fall);
        _checks.WithLabels(t.Upstream, t.Server, result.ReasonName).Inc();
        _duration.WithLabels(t.Upstream, t.Server).Observe(duration.TotalSeconds);
        _lastSuccess.WithLabels(t.Upstream, t.Server).Set(result.Success ? 1 : 0);
        if (previousReason is not null && previousReason != result.ReasonName) _lastResult.RemoveLabelled(t.Upstream, t.Server, previousReason);
        _lastResult.WithLabels(t.Upstream, t.Server, result.ReasonName).Set(1);
        if (transition != HealthTransition.None)
            _transitions.WithLabels(t.Upstream, t.Server, transition == HealthTransition.WentUp ? "up" : "down").Inc();
    }

    internal void Discarded(CheckTarget t) => _discarded.WithLabels(t.Upstream, t.Server).Inc();

    /// <summary>Drops the series of a server that left the configuration, so dashboards do not show ghosts.</summary>
    internal void Removed(CheckTarget t, string? lastReason)
    {
        _up.RemoveLabelled(t.Upstream, t.Server);
        _rise.RemoveLabelled(t.Upstream, t.Server);
        _fall.RemoveLabelled(t.Upstream, t.Server);
        _lastSuccess.RemoveLabelled(t.Upstream, t.Server);
        _duration.RemoveLabelled(t.Upstream, t.Server);
        _discarded.RemoveLabelled(t.Upstream, t.Server);
        if (lastReason is not null) _lastResult.RemoveLabelled(t.Upstream, t.Server, lastReason);
    }
}
