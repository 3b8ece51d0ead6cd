using Microsoft.Extensions.Time.Testing;

namespace SaltHaGateway.Health.Tests.Scheduling;

public sealed class SchedulerLagTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Reports_the_largest_lag_since_a_time()
    {
        var t = new SchedulerLagTracker();
        t.BeginWait(T0.AddMilliseconds(100));
        t.Woke(T0.AddMilliseconds(110));
        t.BeginWait(T0.AddMilliseconds(210));
        t.Woke(T0.AddMilliseconds(2210));
        t.BeginWait(T0.AddMilliseconds(2310));
        t.Woke(T0.AddMilliseconds(2320));
        Assert.Equal(TimeSpan.FromSeconds(2), t.MaxLag(T0, T0.AddMilliseconds(2320)));
        Assert.Equal(TimeSpan.FromMilliseconds(10), t.MaxLag(T0.AddMilliseconds(2300), T0.AddMilliseconds(2320)));
    }

    [Fact]
    public void An_overdue_tick_counts_before_it_has_run()
    {
        var t = new SchedulerLagTracker();
        t.BeginWait(T0.AddMilliseconds(100));
        Assert.Equal(TimeSpan.FromMilliseconds(1900), t.MaxLag(T0, T0.AddSeconds(2)));
        Assert.Equal(TimeSpan.Zero, t.MaxLag(T0, T0.AddMilliseconds(50)));
    }

    [Fact]
    public async Task Monitor_measures_a_jump_of_the_clock_as_lag()
    {
        var time = new FakeTimeProvider(T0);
        await using var monitor = new SchedulerLagMonitor(time, TimeSpan.FromMilliseconds(100));
        monitor.Start();
        await Eventually.True(() => monitor.Tracker.IsWaiting, "lag monitor waiting");
        var start = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(3));
        await Eventually.True(() => monitor.Tracker.MaxLag(start, time.GetUtcNow()) >= TimeSpan.FromMilliseconds(2900), "lag recorded");
    }
}
