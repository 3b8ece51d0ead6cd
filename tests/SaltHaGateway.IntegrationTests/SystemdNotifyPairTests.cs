using SaltHaGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SaltHaGateway.IntegrationTests;

/// <summary>The notify protocol on a node of the real pair (<see cref="PairLab"/>): the status line names the VIP
/// state and the sync, and a SIGTERM says STOPPING=1 before VRRP hands the VIP over.</summary>
[Collection(NamespaceCollection.Name)]
public sealed class SystemdNotifyPairTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Status_names_the_vip_and_stopping_comes_before_the_handover()
    {
        using var notify = new NotifySocketListener();
        await using var lab = await PairLab.StartAsync(output, environment: new Dictionary<string, IReadOnlyDictionary<string, string>>
        {
            ["a"] = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path },
        });
        await lab.WaitForVipAsync(true, false, "VIP on a only at start");
        await Eventually.GetAsync(() => Task.FromResult(notify.All), m => m.Any(x => x.StartsWith("STATUS=VIP master, act2 ", StringComparison.Ordinal)
            && x.EndsWith(", sync in step", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "STATUS=VIP master …");

        var a = lab.Gateway("a");
        a.Signal("TERM");
        Assert.True(await a.WaitForExitAsync(TimeSpan.FromSeconds(30)), lab.Diagnostics());
        await lab.WaitForVipAsync(false, true, "VIP on b after a's stop");
        var stopping = Assert.Single(notify.Messages, m => m.Message == "STOPPING=1");
        var handedOver = a.Lines.First(l => l.Contains("handed over to", StringComparison.Ordinal));
        var loggedAt = TimeOnly.ParseExact(handedOver[..12], "HH:mm:ss.fff", System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(TimeOnly.FromDateTime(stopping.At.UtcDateTime) <= loggedAt, $"STOPPING=1 at {stopping.At:HH:mm:ss.fff}, {handedOver}\n{notify.Dump}");
        Assert.Equal(0, a.ExitCode);
    }
}
