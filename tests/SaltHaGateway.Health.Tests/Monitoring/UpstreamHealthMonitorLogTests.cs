using Microsoft.Extensions.Time.Testing;

namespace SaltHaGateway.Health.Tests.Monitoring;

public sealed class UpstreamHealthMonitorLogTests
{
    [Fact]
    public async Task Transitions_are_logged_as_structured_enable_and_disable_events()
    {
        var logger = new ListLogger<UpstreamHealthMonitor>();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var prober = new ScriptedProber();
        await using var monitor = new UpstreamHealthMonitor(time, logger, prober, null, HealthMonitorOptions.ModuleCompatible());
        monitor.Apply([FakeClockMonitor.Target(check: "interval=1000 rise=1 fall=1")]);

        (await prober.NextAsync()).Succeed();
        await Eventually.True(() => logger.Entries.Any(e => e.Id.Id == 3001), "enable event");
        time.Advance(TimeSpan.FromSeconds(1));
        (await prober.NextAsync()).Complete(ProbeResult.Fail(ProbeReason.Refused, "connection refused"));
        await Eventually.True(() => logger.Entries.Any(e => e.Id.Id == 3002), "disable event");

        var enable = logger.Entries.Single(e => e.Id.Id == 3001);
        Assert.StartsWith("enable check peer: 127.0.0.1:6868", enable.Message);
        var disable = logger.Entries.Single(e => e.Id.Id == 3002);
        Assert.StartsWith("disable check peer: 127.0.0.1:6868", disable.Message);
        Assert.Equal("act2", disable.Values["Upstream"]);
        Assert.Equal("127.0.0.1:6868", disable.Values["Server"]);
        Assert.Contains("connection refused", (string)disable.Values["Reason"]!);
    }

    [Fact]
    public async Task Http11_check_without_any_host_is_warned_about()
    {
        var logger = new ListLogger<UpstreamHealthMonitor>();
        await using var monitor = new UpstreamHealthMonitor(new FakeTimeProvider(), logger, new ScriptedProber(), null, HealthMonitorOptions.ModuleCompatible());
        Assert.True(CheckSpec.TryParse("type=http", @"GET / HTTP/1.1\r\n\r\n", null, null, out var spec, out _));
        monitor.Apply([new CheckTarget("act2", "127.0.0.1:1", "127.0.0.1", 1, null, spec!)]);
        Assert.Contains(logger.Entries, e => e.Id.Id == 3007);
    }
}
