namespace SaltHaGateway.Health.Tests.Monitoring;

/// <summary>The whole checker on real time and real loopback sockets.</summary>
public sealed class UpstreamHealthMonitorSocketTests
{
    private static CheckTarget Target(int port, string check, string upstream = "act2", string? hostHeader = null)
    {
        Assert.True(CheckSpec.TryParse(check, null, null, null, out var spec, out var errors), string.Join(";", errors));
        return new CheckTarget(upstream, $"127.0.0.1:{port}", "127.0.0.1", port, hostHeader, spec!);
    }

    private static UpstreamHealthMonitor Monitor() => new(TimeProvider.System);

    [Fact]
    public async Task First_round_runs_before_traffic_and_opens_only_servers_that_answer()
    {
        await using var live = new LoopbackHttpServer();
        using var refusing = new RefusingPort();
        await using var monitor = Monitor();
        // A generous timeout keeps the first round's bound out of reach on a busy test machine.
        monitor.Apply([Target(live.Port, "interval=30000 rise=2 fall=5 timeout=5000 type=tcp"),
                       Target(refusing.Port, "interval=30000 rise=2 fall=5 timeout=5000 type=tcp")]);
        // No "nothing is up yet" assertion here: on real time the live server's first probe may already have
        // opened it (default-down before the first round is pinned on a fake clock, in UpstreamHealthMonitorImprovementsTests).

        await monitor.RunFirstRoundAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15));

        Assert.True(monitor.IsUp("act2", $"127.0.0.1:{live.Port}"));
        Assert.False(monitor.IsUp("act2", $"127.0.0.1:{refusing.Port}"));
        var rows = monitor.Snapshot().Rows;
        Assert.All(rows, r => Assert.Equal(1, r.Checks));
        Assert.Equal("refused", rows[1].LastReason);
    }

    [Fact]
    public async Task Black_holed_server_times_out_within_the_budget()
    {
        using var hole = await BlackHoleListener.CreateAsync();
        await using var monitor = Monitor();
        monitor.Apply([Target(hole.Port, "interval=30000 timeout=500 default_down=false")]);
        // A check may be set aside once if this (cold, busy) test process lags more than the timeout.
        await Eventually.True(() => monitor.Snapshot().Rows[0].Checks > 0, "a counted check");
        var row = monitor.Snapshot().Rows[0];
        Assert.Equal("timeout", row.LastReason);
        Assert.Equal(1, row.Fall);
        Assert.True(row.LastDuration >= TimeSpan.FromMilliseconds(450), $"the check gave up early: {row.LastDuration}");
    }

    [Fact]
    public async Task Http_server_answering_500_then_200_goes_down_then_up()
    {
        await using var server = new LoopbackHttpServer { Status = 500 };
        await using var monitor = Monitor();
        var changes = new List<bool>();
        monitor.Changed += c => { lock (changes) changes.Add(c.IsUp); };
        monitor.Apply([Target(server.Port, "type=http interval=100 rise=2 fall=2 timeout=1000 default_down=false")]);
        var name = $"127.0.0.1:{server.Port}";

        await Eventually.True(() => !monitor.IsUp("act2", name), "marked down on 500");
        Assert.Equal("http_status", monitor.Snapshot().Rows[0].LastReason);
        server.Status = 200;
        await Eventually.True(() => monitor.IsUp("act2", name), "marked up on 200");
        Assert.True(monitor.Snapshot().Rows[0].Rise >= 2);
        lock (changes) Assert.Equal([false, true], changes);
    }

    [Fact]
    public async Task Reload_keeps_the_counters_of_an_unchanged_server()
    {
        await using var server = new LoopbackHttpServer();
        await using var monitor = Monitor();
        var target = Target(server.Port, "interval=50 rise=2 fall=5 timeout=1000");
        monitor.Apply([target]);
        await Eventually.True(() => monitor.Snapshot().Rows[0].Rise >= 3, "a few successes");
        var before = monitor.Snapshot().Rows[0].Rise;

        monitor.Apply([target with { Spec = target.Spec with { } }]);
        var after = monitor.Snapshot();
        Assert.Equal(2, after.Generation);
        Assert.True(after.Rows[0].Rise >= before);
        Assert.True(after.Rows[0].IsUp);
    }

    [Fact]
    public async Task Refusing_server_is_marked_down_fast_after_a_passive_report()
    {
        await using var server = new LoopbackHttpServer();
        await using var monitor = Monitor();
        // A one-minute interval: only the passive report and fast probes can find the failure in time.
        monitor.Apply([Target(server.Port, "interval=60000 rise=2 fall=3 timeout=1000 default_down=false")]);
        await Eventually.True(() => monitor.Snapshot().Rows[0].Checks == 1, "first check");
        var port = server.Port;
        await server.DisposeAsync();

        monitor.ReportPassiveFailure("act2", $"127.0.0.1:{port}");
        await Eventually.True(() => !monitor.IsUp("act2", $"127.0.0.1:{port}"), "marked down", seconds: 20);
        Assert.Equal(3, monitor.Snapshot().Rows[0].Fall);
    }
}
