namespace SaltHaGateway.Health;

/// <summary>
/// When the next probe of one server is due. The next check starts at least <c>interval</c> after the
/// previous one finished (plus a little non-negative jitter, so load never exceeds the module's), except:
/// the first probe runs at once; while a streak is under way, or after a passive failure report or a
/// discarded probe, the gap shrinks to <c>min(interval, fast interval)</c> (HAProxy's fastinter) — the
/// thresholds themselves never change. Pure: times come in, times go out.
/// </summary>
internal sealed class ProbeSchedule
{
    private readonly TimeSpan _interval;
    private readonly TimeSpan _fastGap;
    private readonly double _jitterFraction;
    private readonly Func<double> _random;
    private TimeSpan _jitter;
    private bool _soon;

    public ProbeSchedule(TimeSpan interval, TimeSpan fastInterval, double jitterFraction, Func<double> random)
    {
        _interval = interval;
        _fastGap = interval < fastInterval ? interval : fastInterval;
        _jitterFraction = Math.Clamp(jitterFraction, 0, 0.5);
        _random = random;
    }

    public DateTimeOffset? LastFinished { get; private set; }

    public TimeSpan FastGap => _fastGap;

    /// <summary>Asks for an extra probe as soon as the fast gap allows (coalesces with any pending request).</summary>
    public void RequestSoon() => _soon = true;

    public DateTimeOffset NextDue(DateTimeOffset now, bool inTransition)
    {
        if (LastFinished is not { } last) return now;
        if (_soon || inTransition) return last + _fastGap;
        return last + _interval + _jitter;
    }

    /// <summary>A probe starts: a pending extra-probe request is now being served.</summary>
    public void Started() => _soon = false;

    /// <summary>A probe finished at <paramref name="at"/>; <paramref name="retrySoon"/> when its result was not counted.</summary>
    public void Finished(DateTimeOffset at, bool retrySoon = false)
    {
        LastFinished = at;
        _jitter = TimeSpan.FromTicks((long)(_interval.Ticks * _jitterFraction * _random()));
        if (retrySoon) _soon = true;
    }
}
