using System.Text;
using Prometheus;

namespace SaltHaGateway.Health.Tests.MetricsTests;

public sealed class HealthMetricsTests
{
    private static async Task<string> Export(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public async Task Exposes_state_streaks_transitions_duration_and_last_result()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(check: "interval=3000 rise=1 fall=1")]);
        var text = await Export(f.Registry);
        Assert.Contains("saltha_upstream_check_up{upstream=\"act2\",server=\"127.0.0.1:6868\"} 0", text);

        await f.StepAsync(ProbeResult.Ok());
        text = await Export(f.Registry);
        Assert.Contains("saltha_upstream_check_up{upstream=\"act2\",server=\"127.0.0.1:6868\"} 1", text);
        Assert.Contains("saltha_upstream_check_rise{upstream=\"act2\",server=\"127.0.0.1:6868\"} 1", text);
        Assert.Contains("saltha_upstream_check_transitions_total{upstream=\"act2\",server=\"127.0.0.1:6868\",to=\"up\"} 1", text);
        Assert.Contains("saltha_upstream_check_duration_seconds_count{upstream=\"act2\",server=\"127.0.0.1:6868\"} 1", text);
        Assert.Contains("saltha_upstream_check_last_result{upstream=\"act2\",server=\"127.0.0.1:6868\",reason=\"ok\"} 1", text);
        Assert.Contains("saltha_upstream_check_generation 1", text);

        f.Time.Advance(TimeSpan.FromSeconds(3));
        await f.StepAsync(ProbeResult.Fail(ProbeReason.Refused, "connection refused"));
        text = await Export(f.Registry);
        Assert.Contains("saltha_upstream_check_up{upstream=\"act2\",server=\"127.0.0.1:6868\"} 0", text);
        Assert.Contains("saltha_upstream_check_fall{upstream=\"act2\",server=\"127.0.0.1:6868\"} 1", text);
        Assert.Contains("saltha_upstream_check_last_success{upstream=\"act2\",server=\"127.0.0.1:6868\"} 0", text);
        Assert.Contains("saltha_upstream_check_last_result{upstream=\"act2\",server=\"127.0.0.1:6868\",reason=\"refused\"} 1", text);
        Assert.DoesNotContain("reason=\"ok\"} 1\nsaltha", text.Replace("saltha_upstream_checks_total", "x"));
        Assert.Contains("saltha_upstream_check_transitions_total{upstream=\"act2\",server=\"127.0.0.1:6868\",to=\"down\"} 1", text);
        Assert.All(text.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')), l => Assert.StartsWith("saltha_", l));
    }

    [Fact]
    public async Task Servers_that_leave_the_configuration_lose_their_series()
    {
        await using var f = new FakeClockMonitor();
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:1")]);
        await f.StepAsync(ProbeResult.Ok());
        f.Monitor.Apply([FakeClockMonitor.Target(server: "127.0.0.1:2")]);
        var text = await Export(f.Registry);
        Assert.DoesNotContain("server=\"127.0.0.1:1\"} ", text.Split("saltha_upstream_checks_total")[0]);
        Assert.Contains("saltha_upstream_check_up{upstream=\"act2\",server=\"127.0.0.1:2\"} 0", text);
    }
}
