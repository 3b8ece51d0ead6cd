using Microsoft.Extensions.DependencyInjection;

namespace SaltHaGateway.Health.Tests;

public sealed class HealthServiceCollectionExtensionsTests
{
    [Fact]
    public async Task Registers_one_monitor_with_real_probes_and_the_given_options()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddUpstreamHealthChecks(o => o.FastInterval = TimeSpan.FromMilliseconds(250));
        await using var provider = services.BuildServiceProvider();

        var monitor = provider.GetRequiredService<UpstreamHealthMonitor>();
        Assert.Same(monitor, provider.GetRequiredService<UpstreamHealthMonitor>());
        Assert.IsType<SocketHealthProber>(provider.GetRequiredService<IHealthProber>());
        Assert.Equal(TimeSpan.FromMilliseconds(250), provider.GetRequiredService<HealthMonitorOptions>().FastInterval);

        using var refusing = new RefusingPort();
        Assert.True(CheckSpec.TryParse("interval=30000", null, null, null, out var spec, out _));
        monitor.Apply([new CheckTarget("act2", $"127.0.0.1:{refusing.Port}", "127.0.0.1", refusing.Port, null, spec!)]);
        await monitor.RunFirstRoundAsync(CancellationToken.None);
        Assert.Equal("refused", monitor.Snapshot().Rows[0].LastReason);
    }
}
