using System.Collections.Immutable;

namespace SaltHaGateway.Health;

/// <summary>
/// One probe loop per distinct <see cref="ProbeDefinition"/>, so a slow or black-holed server never delays
/// another. Each result fans out to every subscribed (upstream, server).
/// </summary>
internal sealed class ProbeLoop
{
    private readonly object _gate = new();
    private readonly UpstreamHealthMonitor _owner;
    private readonly TimeProvider _time;
    private readonly IHealthProber _prober;
    private readonly HealthMonitorOptions _options;
    private readonly SchedulerLagTracker? _lag;
    private readonly ProbeSchedule _schedule;
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ImmutableArray<TargetHealth> _subscribers;
    private Task? _task;

    public ProbeLoop(UpstreamHealthMonitor owner, ProbeDefinition definition, TimeProvider time, IHealthProber prober,
        HealthMonitorOptions options, SchedulerLagTracker? lag, Func<double> random)
    {
        _owner = owner;
        Definition = definition;
        _time = time;
        _prober = prober;
        _options = options;
        _lag = lag;
        _schedule = new ProbeSchedule(definition.Interval, options.FastInterval, options.Jitter, random);
    }

    public ProbeDefinition Definition { get; }

    public ImmutableArray<TargetHealth> Subscribers => _subscribers;

    public bool IsStopped => _stop.IsCancellationRequested;

    public Task Completion => _task ?? Task.CompletedTask;

    public void SetSubscribers(ImmutableArray<TargetHealth> subscribers)
    {
        _subscribers = subscribers;
        foreach (var s in subscribers) s.Loop = this;
        // A target that joined an existing loop should not wait a whole interval for its first check.
        if (_task is not null && subscribers.Any(s => !s.HasResult)) RequestProbe(force: true);
    }

    public void Start() => _task ??= Task.Run(() => RunAsync(_stop.Token));

    public void Stop() => _stop.Cancel();

    /// <summary>A live request failed to connect: probe again as soon as the fast gap allows.</summary>
    public void RequestProbe(bool force = false)
    {
        if (!force && !_options.FastProbes) return;
        lock (_gate)
        {
            _schedule.RequestSoon();
            _wake.TrySetResult();
        }
    }

    /// <summary>How far the clock may move while a timer is set before the loop starts over (far above the
    /// microseconds it takes; far below any check interval).</summary>
    private static readonly TimeSpan ClockSlack = TimeSpan.FromMilliseconds(1);

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Task wake;
            DateTimeOffset due;
            var now = _time.GetUtcNow();
            var inTransition = _options.FastProbes && _subscribers.Any(s => s.InTransition);
            lock (_gate)
            {
                due = _schedule.NextDue(now, inTransition);
                if (_wake.Task.IsCompleted) _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = _wake.Task;
                if (due <= now) _schedule.Started();
            }

            if (due > now)
            {
                using var delayCancel = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var delay = Task.Delay(due - now, _time, delayCancel.Token);
                // The timer counts from when it was set, not from `now`: if the clock moved on while it was being set
                // (a paused process, or a test's fake clock), it would fire up to a whole gap late. Then start over
                // from the clock's new reading instead of waiting.
                if (_time.GetUtcNow() - now <= ClockSlack) await Task.WhenAny(delay, wake).ConfigureAwait(false);
                delayCancel.Cancel();
                continue;
            }

            var started = _time.GetUtcNow();
            var result = await ProbeWithinBudgetAsync(ct).ConfigureAwait(false);
            if (ct.IsCancellationRequested) return;
            var finished = _time.GetUtcNow();

            var lag = _lag is not null && result.Reason == ProbeReason.Timeout ? _lag.MaxLag(started, finished) : TimeSpan.Zero;
            var discarded = lag > Definition.Timeout;
            lock (_gate) _schedule.Finished(finished, retrySoon: discarded);
            try
            {
                _owner.OnProbeFinished(this, result, finished - started, finished, discarded ? lag : null);
            }
            catch (Exception e)
            {
                // Recording must never end the loop; the next check will try again.
                _owner.OnRecordFailed(this, e);
            }
        }
    }

    /// <summary><c>timeout</c> is one budget for the whole check, as in the module.</summary>
    private async Task<ProbeResult> ProbeWithinBudgetAsync(CancellationToken ct)
    {
        using var budget = new CancellationTokenSource(Definition.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, budget.Token);
        var timedOut = ProbeResult.Fail(ProbeReason.Timeout, $"check time out after {Definition.Timeout.TotalMilliseconds:0} ms");
        try
        {
            var result = await _prober.ProbeAsync(Definition, linked.Token).ConfigureAwait(false);
            // A prober may report the socket torn down by the budget's cancellation as some other error.
            return !result.Success && budget.IsCancellationRequested ? timedOut : result;
        }
        catch (OperationCanceledException) when (budget.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return timedOut;
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return budget.IsCancellationRequested ? timedOut : ProbeResult.Fail(ProbeReason.Error, e.Message);
        }
        catch (OperationCanceledException)
        {
            return ProbeResult.Fail(ProbeReason.Error, "stopped");
        }
    }
}
