namespace SaltHaGateway.Health;

/// <summary>The live state of one (upstream, server): its counters and the last result. Thread-safe.</summary>
internal sealed class TargetHealth
{
    private readonly object _gate = new();
    private readonly RiseFallStateMachine _machine;
    private readonly TaskCompletionSource _firstResult = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _isUp;
    private ProbeResult? _last;
    private TimeSpan? _lastDuration;
    private DateTimeOffset? _lastCheckAt;
    private DateTimeOffset? _lastChangeAt;
    private long _checks;
    private long _timesDown;
    private long _discarded;
    // The last results as a shift register (bit 0 the newest, 1 = passed) and how many of its bits are results.
    private ulong _recent;
    private int _recentCount;

    /// <summary>How many of the last results <see cref="StatusRow.Recent"/> shows.</summary>
    public const int RecentSize = 32;

    public TargetHealth(CheckTarget target, bool firstSuccessMarksUp)
    {
        Target = target;
        _machine = new RiseFallStateMachine(target.Spec.Rise, target.Spec.Fall, startUp: !target.Spec.DefaultDown, firstSuccessMarksUp);
        _isUp = _machine.IsUp;
    }

    public CheckTarget Target { get; }

    public bool IsUp => _isUp;

    /// <summary>The loop that probes this target (set on every apply).</summary>
    public ProbeLoop? Loop { get; set; }

    /// <summary>Completes when the first result is recorded.</summary>
    public Task FirstResult => _firstResult.Task;

    public bool InTransition
    {
        get { lock (_gate) return _machine.InTransition; }
    }

    public bool HasResult
    {
        get { lock (_gate) return _machine.HasResult; }
    }

    public (HealthTransition Transition, bool First, long Rise, long Fall, string? PreviousReason) Record(ProbeResult result, TimeSpan duration, DateTimeOffset at)
    {
        HealthTransition transition;
        bool first;
        long rise, fall;
        string? previous;
        lock (_gate)
        {
            previous = _last?.ReasonName;
            first = !_machine.HasResult;
            transition = _machine.Record(result.Success);
            _isUp = _machine.IsUp;
            _last = result;
            _lastDuration = duration;
            _lastCheckAt = at;
            _checks++;
            _recent = (_recent << 1) | (result.Success ? 1UL : 0UL);
            if (_recentCount < RecentSize) _recentCount++;
            if (transition != HealthTransition.None) _lastChangeAt = at;
            if (transition == HealthTransition.WentDown) _timesDown++;
            rise = _machine.Rise;
            fall = _machine.Fall;
        }
        _firstResult.TrySetResult();
        return (transition, first, rise, fall, previous);
    }

    public string? LastReason
    {
        get { lock (_gate) return _last?.ReasonName; }
    }

    public void MarkDiscarded() => Interlocked.Increment(ref _discarded);

    private string RecentText() => string.Create(_recentCount, _recent, static (chars, bits) =>
    {
        for (var i = 0; i < chars.Length; i++) chars[i] = ((bits >> (chars.Length - 1 - i)) & 1) == 1 ? '+' : '-';
    });

    public StatusRow ToRow(int index)
    {
        lock (_gate)
        {
            return new StatusRow(index, Target.Upstream, Target.Server, _machine.IsUp, _machine.Rise, _machine.Fall,
                Target.Spec.TypeName, Target.Spec.Port)
            {
                Checks = _checks,
                LastReason = _last?.ReasonName,
                LastDetail = _last?.Detail,
                LastDuration = _lastDuration,
                LastCheckAt = _lastCheckAt,
                LastChangeAt = _lastChangeAt,
                TimesDown = _timesDown,
                Discarded = Interlocked.Read(ref _discarded),
                Recent = RecentText(),
            };
        }
    }
}
