using System.Collections.Immutable;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace SaltHaGateway.Health;

/// <summary>
/// The process-wide active checker: one probe loop per distinct probe, rise/fall state per (upstream, server),
/// the status-page snapshot, transitions as events. Apply a new target list on every configuration load.
/// </summary>
public sealed partial class UpstreamHealthMonitor : IAsyncDisposable
{
    private static readonly StringComparer Names = StringComparer.OrdinalIgnoreCase;

    private readonly object _applyGate = new();
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IHealthProber _prober;
    private readonly HealthMetrics _metrics;
    private readonly HealthMonitorOptions _options;
    private readonly SchedulerLagMonitor? _lagMonitor;
    private readonly Random _random = new();
    private volatile State _state = State.Empty;
    private volatile bool _firstRoundCompleted;
    private bool _disposed;

    public UpstreamHealthMonitor(TimeProvider time, ILogger<UpstreamHealthMonitor>? logger = null, IHealthProber? prober = null,
        HealthMetrics? metrics = null, HealthMonitorOptions? options = null)
    {
        _time = time;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _prober = prober ?? new SocketHealthProber();
        _metrics = metrics ?? new HealthMetrics(Prometheus.Metrics.NewCustomRegistry());
        _options = options ?? new HealthMonitorOptions();
        if (_options.LagGuard) _lagMonitor = new SchedulerLagMonitor(time, _options.LagTick);
    }

    /// <summary>Raised on every up/down transition, outside any lock. Handler exceptions are logged and swallowed.</summary>
    public event Action<ServerHealthChanged>? Changed;

    public long Generation => _state.Generation;

    /// <summary>True once <see cref="RunFirstRoundAsync"/> has returned (for a readiness endpoint).</summary>
    public bool FirstRoundCompleted => _firstRoundCompleted;

    internal SchedulerLagTracker? LagTracker => _lagMonitor?.Tracker;

    /// <summary>
    /// Installs a configuration generation. Servers whose address and check did not change keep their state
    /// and counters; new or changed ones start from <c>default_down</c> and are probed at once.
    /// </summary>
    public void Apply(IReadOnlyList<CheckTarget> targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var target in targets) Validate(target);
        lock (_applyGate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var old = _state;
            var byKey = new Dictionary<(string, string), TargetHealth>(KeyComparer.Instance);
            var rows = ImmutableArray.CreateBuilder<TargetHealth>(targets.Count);
            var kept = 0;
            var added = new List<TargetHealth>();
            foreach (var target in targets)
            {
                var key = (target.Upstream, target.Server);
                if (byKey.TryGetValue(key, out var duplicate))
                {
                    rows.Add(duplicate);
                    continue;
                }
                TargetHealth health;
                if (old.ByKey.TryGetValue(key, out var previous) && previous.Target == target)
                {
                    health = previous;
                    kept++;
                }
                else
                {
                    health = new TargetHealth(target, _options.FirstSuccessMarksUp);
                    added.Add(health);
                    if (target.Spec.Type is CheckType.Http or CheckType.Https && HttpCheckRequest.LacksRequiredHost(target.Spec.HttpSend, target.HostHeader))
                        Log.HttpCheckWithoutHost(_logger, target.Upstream, target.Server);
                }
                byKey[key] = health;
                rows.Add(health);
            }

            var loops = new Dictionary<ProbeDefinition, ProbeLoop>();
            var started = new List<ProbeLoop>();
            foreach (var group in byKey.Values.GroupBy(h => ProbeDefinition.For(h.Target)))
            {
                if (!old.Loops.TryGetValue(group.Key, out var loop))
                {
                    loop = new ProbeLoop(this, group.Key, _time, _prober, _options, _lagMonitor?.Tracker, NextRandom);
                    started.Add(loop);
                }
                loop.SetSubscribers([.. group]);
                loops[group.Key] = loop;
            }

            foreach (var (definition, loop) in old.Loops)
                if (!loops.ContainsKey(definition)) loop.Stop();
            foreach (var (key, health) in old.ByKey)
                if (!byKey.TryGetValue(key, out var now) || now != health) _metrics.Removed(health.Target, health.LastReason);
            foreach (var health in added) _metrics.Added(health.Target, health.IsUp);

            var byUpstream = byKey.Values.GroupBy(h => h.Target.Upstream, Names)
                .ToDictionary(g => g.Key, g => g.ToImmutableArray(), Names);
            _state = new State(old.Generation + 1, rows.ToImmutable(), byKey, byUpstream, loops);
            _metrics.Generation(_state.Generation);
            Log.Applied(_logger, _state.Generation, byKey.Count, kept, loops.Count);

            _lagMonitor?.Start();
            foreach (var loop in started) loop.Start();
        }
    }

    /// <summary>
    /// Completes when every current target has had its first check, or after the largest check timeout
    /// (plus a little slack) — so a black-holed server cannot hold up the listener for longer than that.
    /// </summary>
    public async Task RunFirstRoundAsync(CancellationToken ct)
    {
        var state = _state;
        if (state.ByKey.Count == 0)
        {
            _firstRoundCompleted = true;
            return;
        }
        var bound = state.ByKey.Values.Max(h => h.Target.Spec.Timeout) + _options.FirstRoundSlack;
        var all = Task.WhenAll(state.ByKey.Values.Select(h => h.FirstResult));
        var finished = await Task.WhenAny(all, Task.Delay(bound, _time, ct)).ConfigureAwait(false);
        ct.ThrowIfCancellationRequested();
        _firstRoundCompleted = true;
        if (finished != all)
            Log.FirstRoundIncomplete(_logger, state.ByKey.Values.Count(h => !h.FirstResult.IsCompleted), bound.TotalMilliseconds);
    }

    /// <summary>True when the server may take traffic; also true for a pair that has no check.</summary>
    public bool IsUp(string upstream, string server)
        => !_state.ByKey.TryGetValue((upstream, server), out var health) || health.IsUp;

    /// <summary>At least one checked server of the upstream is up (true for an upstream without checks).</summary>
    public bool AnyUp(string upstream)
        => !_state.ByUpstream.TryGetValue(upstream, out var servers) || servers.Any(s => s.IsUp);

    /// <summary>True when the upstream has checked servers.</summary>
    public bool IsChecked(string upstream) => _state.ByUpstream.ContainsKey(upstream);

    /// <summary>
    /// Live traffic could not connect to the server (refused or timed out): probe it again right away
    /// (within the fast gap). The report itself is not counted as a failure; the probe decides.
    /// </summary>
    public void ReportPassiveFailure(string upstream, string server)
    {
        if (_state.ByKey.TryGetValue((upstream, server), out var health)) health.Loop?.RequestProbe();
    }

    public StatusSnapshot Snapshot()
    {
        var state = _state;
        var rows = new StatusRow[state.Rows.Length];
        for (var i = 0; i < rows.Length; i++) rows[i] = state.Rows[i].ToRow(i);
        return new StatusSnapshot(state.Generation, rows);
    }

    internal void OnProbeFinished(ProbeLoop loop, ProbeResult result, TimeSpan duration, DateTimeOffset at, TimeSpan? discardedLag)
    {
        if (loop.IsStopped) return;
        if (discardedLag is { } lag)
        {
            Log.ProbeDiscarded(_logger, loop.Definition.ToString(), lag.TotalMilliseconds, loop.Definition.Timeout.TotalMilliseconds);
            foreach (var health in loop.Subscribers)
            {
                health.MarkDiscarded();
                _metrics.Discarded(health.Target);
            }
            return;
        }

        foreach (var health in loop.Subscribers)
        {
            var t = health.Target;
            var (transition, first, rise, fall, previousReason) = health.Record(result, duration, at);
            _metrics.Recorded(t, result, duration, health.IsUp, rise, fall, transition, previousReason);
            if (!result.Success) Log.CheckFailed(_logger, t.Upstream, t.Server, result.Detail, fall);
            if (transition == HealthTransition.None) continue;

            var up = transition == HealthTransition.WentUp;
            var reason = up
                ? (first && rise < t.Spec.Rise ? $"first check passed ({result.Detail})" : $"{rise} consecutive checks passed ({result.Detail})")
                : $"{fall} consecutive checks failed ({result.Detail})";
            if (up) Log.PeerEnabled(_logger, t.Upstream, t.Server, reason);
            else Log.PeerDisabled(_logger, t.Upstream, t.Server, reason);
            Raise(new ServerHealthChanged(t.Upstream, t.Server, t.Host, t.CheckPort, up, reason, rise, fall, at));
        }
    }

    /// <summary>Specs come from <see cref="CheckSpec.TryParse"/>; this catches hand-built ones before any state changes.</summary>
    private static void Validate(CheckTarget t)
    {
        var s = t.Spec;
        if (s.Rise < 1 || s.Fall < 1 || s.Interval <= TimeSpan.Zero || s.Timeout <= TimeSpan.Zero || t.CheckPort is < 1 or > 65535
            || string.IsNullOrEmpty(t.Host) || string.IsNullOrEmpty(t.Upstream) || string.IsNullOrEmpty(t.Server))
            throw new ArgumentException($"invalid check target {t.Upstream}/{t.Server} ({t.Host}:{t.CheckPort}, rise {s.Rise}, fall {s.Fall}, interval {s.Interval}, timeout {s.Timeout})", nameof(t));
    }

    internal void OnRecordFailed(ProbeLoop loop, Exception e) => Log.RecordFailed(_logger, e, loop.Definition.ToString());

    private void Raise(ServerHealthChanged change)
    {
        var handlers = Changed;
        if (handlers is null) return;
        foreach (var handler in handlers.GetInvocationList().Cast<Action<ServerHealthChanged>>())
        {
            try { handler(change); }
            catch (Exception e) { Log.ChangedHandlerFailed(_logger, e, change.Upstream, change.Server); }
        }
    }

    private double NextRandom()
    {
        lock (_random) return _random.NextDouble();
    }

    public async ValueTask DisposeAsync()
    {
        State state;
        lock (_applyGate)
        {
            if (_disposed) return;
            _disposed = true;
            state = _state;
        }
        foreach (var loop in state.Loops.Values) loop.Stop();
        try { await Task.WhenAll(state.Loops.Values.Select(l => l.Completion)).ConfigureAwait(false); }
        catch (OperationCanceledException) { }
        if (_lagMonitor is not null) await _lagMonitor.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record State(
        long Generation,
        ImmutableArray<TargetHealth> Rows,
        IReadOnlyDictionary<(string, string), TargetHealth> ByKey,
        IReadOnlyDictionary<string, ImmutableArray<TargetHealth>> ByUpstream,
        IReadOnlyDictionary<ProbeDefinition, ProbeLoop> Loops)
    {
        public static State Empty { get; } = new(0, [],
            new Dictionary<(string, string), TargetHealth>(KeyComparer.Instance),
            new Dictionary<string, ImmutableArray<TargetHealth>>(Names),
            new Dictionary<ProbeDefinition, ProbeLoop>());
    }

    private sealed class KeyComparer : IEqualityComparer<(string, string)>
    {
        public static KeyComparer Instance { get; } = new();
        public bool Equals((string, string) x, (string, string) y) => Names.Equals(x.Item1, y.Item1) && Names.Equals(x.Item2, y.Item2);
        public int GetHashCode((string, string) obj) => HashCode.Combine(Names.GetHashCode(obj.Item1), Names.GetHashCode(obj.Item2));
    }
}
