using Microsoft.Extensions.Time.Testing;
using Prometheus;

namespace SaltHaGateway.Health.Tests;

/// <summary>A monitor on a fake clock with a scripted prober, and methods that step it one check at a time.</summary>
internal sealed class FakeClockMonitor : IAsyncDisposable
{
    public FakeClockMonitor(HealthMonitorOptions? options = null)
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        Monitor = new UpstreamHealthMonitor(Time, null, Prober, new HealthMetrics(Registry), options ?? Module());
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    public ScriptedProber Prober { get; } = new();
    public CollectorRegistry Registry { get; }
    public UpstreamHealthMonitor Monitor { get; }

    /// <summary>Module behaviour with deterministic timing: no jitter, no fast probes, no warming, no lag guard.</summary>
    public static HealthMonitorOptions Module() => HealthMonitorOptions.ModuleCompatible();

    public static HealthMonitorOptions Improved() => new() { Jitter = 0, LagGuard = false };

    public static HealthMonitorOptions ImprovedWithLagGuard() => new() { Jitter = 0 };

    public static CheckTarget Target(string upstream = "act2", string server = "127.0.0.1:6868",
        string check = "interval=3000 rise=2 fall=5 timeout=1000 type=tcp")
    {
        Assert.True(CheckSpec.TryParse(check, null, null, null, out var spec, out var errors), string.Join(";", errors));
        var colon = server.LastIndexOf(':');
        return new CheckTarget(upstream, server, server[..colon], int.Parse(server[(colon + 1)..]), null, spec!);
    }

    public StatusRow Row(int index = 0) => Monitor.Snapshot().Rows[index];

    /// <summary>Waits for the next probe, completes it, and waits until every row it feeds has recorded it.</summary>
    public async Task StepAsync(ProbeResult result, int row = 0)
    {
        var before = Row(row).Checks;
        var probe = await Prober.NextAsync();
        probe.Complete(result);
        await Eventually.True(() => Row(row).Checks == before + 1, $"check {before + 1} recorded");
    }

    public ValueTask DisposeAsync() => Monitor.DisposeAsync();
}
