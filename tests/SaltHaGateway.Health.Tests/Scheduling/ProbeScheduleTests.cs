namespace SaltHaGateway.Health.Tests.Scheduling;

public sealed class ProbeScheduleTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(3);

    [Fact]
    public void First_probe_is_due_at_once_then_interval_after_the_previous_finished()
    {
        var s = new ProbeSchedule(Interval, TimeSpan.FromMilliseconds(500), 0, () => 0.5);
        Assert.Equal(T0, s.NextDue(T0, inTransition: false));
        s.Finished(T0.AddMilliseconds(800));
        Assert.Equal(T0.AddMilliseconds(3800), s.NextDue(T0.AddSeconds(1), inTransition: false));
    }

    [Fact]
    public void Jitter_only_ever_adds_up_to_the_fraction()
    {
        var s = new ProbeSchedule(Interval, TimeSpan.FromMilliseconds(500), 0.1, () => 0.999);
        s.Finished(T0);
        var due = s.NextDue(T0, false);
        Assert.InRange(due - T0, Interval, Interval * 1.1);
        var low = new ProbeSchedule(Interval, TimeSpan.FromMilliseconds(500), 0.1, () => 0);
        low.Finished(T0);
        Assert.Equal(T0 + Interval, low.NextDue(T0, false));
    }

    [Fact]
    public void Transition_and_requests_use_the_fast_gap_capped_by_interval()
    {
        var s = new ProbeSchedule(Interval, TimeSpan.FromMilliseconds(500), 0, () => 0);
        s.Finished(T0);
        Assert.Equal(T0.AddMilliseconds(500), s.NextDue(T0, inTransition: true));

        s.RequestSoon();
        Assert.Equal(T0.AddMilliseconds(500), s.NextDue(T0, inTransition: false));
        s.Started();
        s.Finished(T0.AddSeconds(1));
        Assert.Equal(T0.AddSeconds(4), s.NextDue(T0.AddSeconds(1), false));

        var shortInterval = new ProbeSchedule(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), 0, () => 0);
        shortInterval.Finished(T0);
        Assert.Equal(T0.AddMilliseconds(200), shortInterval.NextDue(T0, true));
    }

    [Fact]
    public void A_discarded_probe_is_retried_after_the_fast_gap()
    {
        var s = new ProbeSchedule(Interval, TimeSpan.FromMilliseconds(500), 0, () => 0);
        s.Finished(T0, retrySoon: true);
        Assert.Equal(T0.AddMilliseconds(500), s.NextDue(T0, false));
    }
}
