namespace SaltHaGateway.Health;

/// <summary>
/// Remembers how late a periodic tick woke up (scheduler lag). A probe that timed out while the lag
/// exceeded its timeout says more about this process being starved of CPU than about the server,
/// so it is not counted (the module's workers marked every server down under load: yaoweibin#137).
/// Pure and thread-safe.
/// </summary>
internal sealed class SchedulerLagTracker
{
    private readonly object _gate = new();
    private readonly (DateTimeOffset At, TimeSpan Lag)[] _samples;
    private int _next;
    private int _count;
    private DateTimeOffset? _expectedWake;

    public SchedulerLagTracker(int capacity = 256) => _samples = new (DateTimeOffset, TimeSpan)[capacity];

    /// <summary>A tick is pending (tests wait for this before moving a fake clock).</summary>
    public bool IsWaiting
    {
        get { lock (_gate) return _expectedWake is not null; }
    }

    public void BeginWait(DateTimeOffset expectedWake)
    {
        lock (_gate) _expectedWake = expectedWake;
    }

    public void Woke(DateTimeOffset at)
    {
        lock (_gate)
        {
            if (_expectedWake is not { } expected) return;
            _expectedWake = null;
            var lag = at - expected;
            if (lag < TimeSpan.Zero) lag = TimeSpan.Zero;
            _samples[_next] = (at, lag);
            _next = (_next + 1) % _samples.Length;
            _count = Math.Min(_count + 1, _samples.Length);
        }
    }

    /// <summary>
    /// The largest lag seen by ticks that woke at or after <paramref name="since"/>, including a tick that
    /// is overdue right now (the starved tick may not have run yet when the timed-out probe is judged).
    /// </summary>
    public TimeSpan MaxLag(DateTimeOffset since, DateTimeOffset now)
    {
        lock (_gate)
        {
            var max = TimeSpan.Zero;
            if (_expectedWake is { } expected && now - expected > max) max = now - expected;
            for (var i = 0; i < _count; i++)
            {
                var (at, lag) = _samples[i];
                if (at >= since && lag > max) max = lag;
            }
            return max;
        }
    }
}
