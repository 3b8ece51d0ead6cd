namespace SaltHaGateway.Health.Tests.Monitoring;

/// <summary>The behaviour that goes beyond the module (on by default), on a fake clock.</summary>
public sealed class UpstreamHealthMonitorImprovementsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(3000);
    private static readonly TimeSpan FastGap = TimeSpan.FromMilliseconds(500);
    private static readonly ProbeResult Refused = ProbeResult.Fail(ProbeReason.Refused, "connection refused");

    [Fact]
    public async Task First_success_opens_a_default_down_server_but_a_failure_keeps_it_down()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:1"), FakeClockMonitor.Target(server: "127.0.0.1:2")]);
        var a = await f.Prober.NextAsync();
        var b = await f.Prober.NextAsync();
        Assert.False(f.Monitor.AnyUp("act2"));   // both probes in flight: nothing is open before its first check
        (a.Definition.Port == 1 ? a : b).Succeed();
        (a.Definition.Port == 1 ? b : a).Complete(Refused);
        await Eventually.True(() => f.Row(0).Checks == 1 && f.Row(1).Checks == 1, "both first checks recorded");
        Assert.True(f.Monitor.IsUp("act2", "127.0.0.1:1"));
        Assert.False(f.Monitor.IsUp("act2", "127.0.0.1:2"));
    }

    [Fact]
    public async Task First_round_completes_when_every_target_has_a_result()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:1"), FakeClockMonitor.Target(server: "127.0.0.1:2")]);
        var round = f.Monitor.RunFirstRoundAsync(CancellationToken.None);
        var first = await f.Prober.NextAsync();
        var second = await f.Prober.NextAsync();
        first.Succeed();
        await Eventually.True(() => f.Monitor.Snapshot().Rows.Sum(r => r.Checks) == 1, "one result");
        Assert.False(round.IsCompleted);
        Assert.False(f.Monitor.FirstRoundCompleted);
        second.Succeed();
        await round.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.True(f.Monitor.FirstRoundCompleted);
        Assert.All(f.Monitor.Snapshot().Rows, r => Assert.True(r.IsUp));
    }

    [Fact]
    public async Task First_round_is_bounded_by_the_check_timeout()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 timeout=1000")]);
        var round = f.Monitor.RunFirstRoundAsync(CancellationToken.None);
        await f.Prober.NextAsync(); // black-holed: never answers
        f.Time.Advance(TimeSpan.FromMilliseconds(1000));
        await round.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.False(f.Row().IsUp);
        Assert.Equal("timeout", f.Row().LastReason);
    }

    [Fact]
    public async Task Passive_failure_triggers_an_immediate_probe_and_fast_probes_until_down()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        var down = new TaskCompletionSource<ServerHealthChanged>(TaskCreationOptions.RunContinuationsAsynchronously);
        f.Monitor.Changed += c => { if (!c.IsUp) down.TrySetResult(c); };
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        await f.StepAsync(ProbeResult.Ok());
        Assert.True(f.Row().IsUp);

        f.Time.Advance(TimeSpan.FromMilliseconds(1000));
        Assert.True(await f.Prober.StaysIdleAsync());
        f.Monitor.ReportPassiveFailure("act2", "127.0.0.1:6868");
        await f.StepAsync(Refused); // at once, 2 s before the regular check
        for (var i = 2; i <= 5; i++)
        {
            f.Time.Advance(FastGap - TimeSpan.FromMilliseconds(1));
            Assert.True(await f.Prober.StaysIdleAsync(50));
            f.Time.Advance(TimeSpan.FromMilliseconds(1));
            await f.StepAsync(Refused);
        }
        var change = await down.Task.WaitAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(5, change.Fall);
        Assert.False(f.Monitor.IsUp("act2", "127.0.0.1:6868"));

        // Fully down: back to the regular interval.
        f.Time.Advance(FastGap);
        Assert.True(await f.Prober.StaysIdleAsync());
    }

    [Fact]
    public async Task Passive_reports_are_coalesced_to_one_probe_per_fast_gap()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 fall=50 default_down=false")]);
        await f.StepAsync(ProbeResult.Ok());
        f.Time.Advance(TimeSpan.FromSeconds(1));
        for (var i = 0; i < 20; i++) f.Monitor.ReportPassiveFailure("act2", "127.0.0.1:6868");
        await f.StepAsync(ProbeResult.Ok());
        for (var i = 0; i < 20; i++) f.Monitor.ReportPassiveFailure("act2", "127.0.0.1:6868");
        Assert.True(await f.Prober.StaysIdleAsync(), "a second probe ran within the fast gap");
        f.Time.Advance(FastGap);
        await f.StepAsync(ProbeResult.Ok());
        Assert.Equal(3, f.Prober.Calls);
    }

    [Fact]
    public async Task Passive_reports_do_nothing_in_module_mode_and_for_unknown_servers()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        await f.StepAsync(ProbeResult.Ok());
        f.Monitor.ReportPassiveFailure("act2", "127.0.0.1:6868");
        f.Monitor.ReportPassiveFailure("other", "10.9.9.9:1");
        Assert.True(await f.Prober.StaysIdleAsync());
    }

    [Fact]
    public async Task Recovery_uses_the_fast_gap_once_a_success_streak_starts()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        await f.StepAsync(Refused);
        f.Time.Advance(Interval);
        await f.StepAsync(ProbeResult.Ok());
        Assert.False(f.Row().IsUp);
        f.Time.Advance(FastGap);
        await f.StepAsync(ProbeResult.Ok());
        Assert.True(f.Row().IsUp);
    }

    [Fact]
    public async Task Identical_probes_in_several_upstreams_share_one_loop_with_separate_counters()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply(
        [
            FakeClockMonitor.Target("act2", "127.0.0.1:6868"),
            FakeClockMonitor.Target("act2-ro", "127.0.0.1:6868", "interval=3000 rise=1 fall=5 timeout=1000 type=tcp"),
        ]);
        var probe = await f.Prober.NextAsync();
        probe.Succeed();
        await Eventually.True(() => f.Row(0).Checks == 1 && f.Row(1).Checks == 1, "both rows recorded");
        Assert.True(await f.Prober.StaysIdleAsync());
        Assert.Equal(1, f.Prober.Calls);
        Assert.False(f.Monitor.IsUp("act2", "127.0.0.1:6868"));  // rise=2
        Assert.True(f.Monitor.IsUp("act2-ro", "127.0.0.1:6868")); // rise=1
    }

    [Fact]
    public async Task Reload_keeps_unchanged_servers_and_resets_changed_ones()
    {
        await using var f = new FakeClockMonitor();
        var a = FakeClockMonitor.Target(server: "127.0.0.1:1");
        var b = FakeClockMonitor.Target(server: "127.0.0.1:2");
        f.Monitor.Apply([a, b]);
        Assert.Equal(1, f.Monitor.Snapshot().Generation);
        var p1 = await f.Prober.NextAsync();
        var p2 = await f.Prober.NextAsync();
        p1.Succeed();
        p2.Succeed();
        await Eventually.True(() => f.Row(0).Checks == 1 && f.Row(1).Checks == 1, "first results");
        f.Time.Advance(Interval);
        (await f.Prober.NextAsync()).Succeed();
        (await f.Prober.NextAsync()).Succeed();
        await Eventually.True(() => f.Row(0).IsUp && f.Row(1).IsUp, "both up");

        var bChanged = FakeClockMonitor.Target(server: "127.0.0.1:2", check: "interval=3000 rise=3 fall=5 timeout=1000 type=tcp");
        var c = FakeClockMonitor.Target(server: "127.0.0.1:3");
        f.Monitor.Apply([c, a, bChanged]);
        var snapshot = f.Monitor.Snapshot();
        Assert.Equal(2, snapshot.Generation);
        Assert.Equal(["127.0.0.1:3", "127.0.0.1:1", "127.0.0.1:2"], snapshot.Rows.Select(r => r.Name));
        Assert.Equal([0, 1, 2], snapshot.Rows.Select(r => r.Index));
        Assert.True(snapshot.Rows[1].IsUp);
        Assert.Equal(2, snapshot.Rows[1].Rise);   // kept
        Assert.False(snapshot.Rows[2].IsUp);      // check changed: back to default_down
        Assert.Equal(0, snapshot.Rows[2].Rise);

        f.Monitor.Apply([c, a, bChanged]);
        Assert.Equal(3, f.Monitor.Snapshot().Generation);
        Assert.Equal(2, f.Row(1).Rise);
    }

    [Fact]
    public async Task Unknown_pairs_are_up_and_any_up_reflects_the_upstream()
    {
        await using var f = new FakeClockMonitor();
        Assert.True(f.Monitor.IsUp("act2", "127.0.0.1:6868"));
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:1"), FakeClockMonitor.Target(server: "127.0.0.1:2")]);
        Assert.False(f.Monitor.AnyUp("act2"));
        Assert.False(f.Monitor.AnyUp("ACT2"));
        Assert.True(f.Monitor.AnyUp("not-checked"));
        Assert.True(f.Monitor.IsUp("act2", "127.0.0.1:9"));
        Assert.True(f.Monitor.IsChecked("act2"));
        Assert.False(f.Monitor.IsChecked("not-checked"));
    }

    [Fact]
    public async Task A_failing_change_handler_does_not_stop_the_checks_or_other_handlers()
    {
        await using var f = new FakeClockMonitor(FakeClockMonitor.Improved());
        var seen = 0;
        f.Monitor.Changed += _ => throw new InvalidOperationException("boom");
        f.Monitor.Changed += _ => Interlocked.Increment(ref seen);
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 fall=1")]);
        await f.StepAsync(ProbeResult.Ok());
        f.Time.Advance(Interval);
        await f.StepAsync(Refused);
        Assert.Equal(2, Volatile.Read(ref seen));
    }

    [Fact]
    public async Task A_hand_built_invalid_target_is_rejected_before_anything_changes()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target()]);
        var bad = FakeClockMonitor.Target(server: "127.0.0.1:2") with { Spec = CheckSpec.Default with { Rise = 0 } };
        Assert.Throws<ArgumentException>(() => f.Monitor.Apply([FakeClockMonitor.Target(), bad]));
        Assert.Equal(1, f.Monitor.Generation);
        Assert.Single(f.Monitor.Snapshot().Rows);
    }

    [Fact]
    public async Task Removed_servers_stop_being_probed()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:1")]);
        await f.StepAsync(ProbeResult.Ok());
        f.Monitor.Apply([]);
        f.Time.Advance(Interval * 3);
        Assert.True(await f.Prober.StaysIdleAsync());
        Assert.Empty(f.Monitor.Snapshot().Rows);
    }
}
