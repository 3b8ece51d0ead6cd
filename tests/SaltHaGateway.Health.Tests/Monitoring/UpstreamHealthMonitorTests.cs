namespace SaltHaGateway.Health.Tests.Monitoring;

/// <summary>State machine and scheduler driven on a fake clock (module mode unless a test says otherwise).</summary>
public sealed class UpstreamHealthMonitorTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(3000);

    [Fact]
    public async Task Default_down_server_comes_up_after_rise_successes_and_goes_down_after_fall_failures()
    {
        await using var f = new FakeClockMonitor();
        var changes = new List<ServerHealthChanged>();
        f.Monitor.Changed += c => { lock (changes) changes.Add(c); };
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        Assert.False(f.Monitor.IsUp("act2", "127.0.0.1:6868"));

        await f.StepAsync(ProbeResult.Ok());
        Assert.False(f.Row().IsUp);
        Assert.Equal(1, f.Row().Rise);
        f.Time.Advance(Interval);
        await f.StepAsync(ProbeResult.Ok());
        Assert.True(f.Monitor.IsUp("act2", "127.0.0.1:6868"));

        for (var i = 1; i <= 5; i++)
        {
            f.Time.Advance(Interval);
            await f.StepAsync(ProbeResult.Fail(ProbeReason.Refused, "connection refused"));
            Assert.Equal(i, f.Row().Fall);
            Assert.Equal(0, f.Row().Rise);
            Assert.Equal(i < 5, f.Row().IsUp);
        }

        lock (changes)
        {
            Assert.Equal([true, false], changes.Select(c => c.IsUp));
            Assert.Equal("act2", changes[1].Upstream);
            Assert.Equal("127.0.0.1:6868", changes[1].Server);
            Assert.Contains("5 consecutive checks failed", changes[1].Reason);
        }
    }

    [Fact]
    public async Task The_row_keeps_the_last_32_results_oldest_first()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 fall=100 default_down=false")]);
        Assert.Equal("", f.Row().Recent);
        await f.StepAsync(ProbeResult.Ok());
        f.Time.Advance(Interval);
        await f.StepAsync(ProbeResult.Fail(ProbeReason.Refused, "refused"));
        Assert.Equal("+-", f.Row().Recent);
        for (var i = 0; i < 40; i++)
        {
            f.Time.Advance(Interval);
            await f.StepAsync(i % 4 == 0 ? ProbeResult.Ok() : ProbeResult.Fail(ProbeReason.Timeout, "timeout"));
        }
        // 42 results: the 32 newest are the loop's last 32 (i = 8..39).
        Assert.Equal(string.Concat(Enumerable.Range(8, 32).Select(i => i % 4 == 0 ? '+' : '-')), f.Row().Recent);
    }

    [Fact]
    public async Task Default_up_server_is_up_before_any_check()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 fall=2 default_down=false")]);
        Assert.True(f.Monitor.IsUp("act2", "127.0.0.1:6868"));
        await f.StepAsync(ProbeResult.Fail(ProbeReason.Refused, "refused"));
        Assert.True(f.Row().IsUp);
        f.Time.Advance(Interval);
        await f.StepAsync(ProbeResult.Fail(ProbeReason.Refused, "refused"));
        Assert.False(f.Row().IsUp);
    }

    [Fact]
    public async Task Next_check_starts_interval_after_the_previous_one_finished()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        var first = await f.Prober.NextAsync();
        f.Time.Advance(TimeSpan.FromMilliseconds(700)); // the check itself takes 700 ms
        first.Succeed();
        await Eventually.True(() => f.Row().Checks == 1, "first result");

        f.Time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.True(await f.Prober.StaysIdleAsync(), "probed before interval had passed since the last check finished");
        f.Time.Advance(TimeSpan.FromMilliseconds(1));
        await f.Prober.NextAsync();
    }

    [Fact]
    public async Task Timeout_is_one_budget_for_the_whole_check_and_counts_as_a_failure()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 timeout=1000 default_down=false")]);
        var probe = await f.Prober.NextAsync();
        f.Time.Advance(TimeSpan.FromMilliseconds(999));
        Assert.False(probe.Token.IsCancellationRequested);
        f.Time.Advance(TimeSpan.FromMilliseconds(1));
        await Eventually.True(() => f.Row().Checks == 1, "timeout recorded");
        Assert.True(probe.Token.IsCancellationRequested);
        Assert.Equal(1, f.Row().Fall);
        Assert.Equal("timeout", f.Row().LastReason);
        Assert.Equal(TimeSpan.FromSeconds(1), f.Row().LastDuration);
    }

    [Fact]
    public async Task Timeout_during_scheduler_lag_larger_than_the_timeout_is_not_counted()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.ImprovedWithLagGuard());
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 timeout=1000 default_down=false")]);
        await Eventually.True(() => f.Monitor.LagTracker!.IsWaiting, "lag monitor running");
        await f.Prober.NextAsync();

        // The process was starved: the clock jumps 5 s at once, far beyond the 1 s timeout.
        f.Time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.True(() => f.Row().Discarded == 1, "timed-out check discarded");
        Assert.Equal(0, f.Row().Checks);
        Assert.Equal(0, f.Row().Fall);

        // Retried after the fast gap (500 ms), not after a whole interval.
        f.Time.Advance(TimeSpan.FromMilliseconds(499));
        Assert.True(await f.Prober.StaysIdleAsync());
        f.Time.Advance(TimeSpan.FromMilliseconds(1));
        var retry = await f.Prober.NextAsync();
        retry.Succeed();
        await Eventually.True(() => f.Row().Checks == 1, "retry recorded");
    }

    [Fact]
    public async Task Timeout_without_lag_is_counted_even_with_the_guard_on()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.ImprovedWithLagGuard());
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 timeout=1000 default_down=false")]);
        await Eventually.True(() => f.Monitor.LagTracker!.IsWaiting, "lag monitor running");
        await f.Prober.NextAsync();
        f.Time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.True(() => f.Row().Checks == 1, "timeout recorded");
        Assert.Equal(1, f.Row().Fall);
    }
}
