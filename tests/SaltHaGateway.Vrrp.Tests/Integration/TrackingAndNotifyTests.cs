namespace SaltHaGateway.Vrrp.Tests.Integration;

[Collection(NetnsCollection.Name)]
public sealed class TrackingAndNotifyTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Script_tracking_moves_the_vip_and_notify_hooks_run_with_keepalived_arguments()
    {
        await using var lab = new NetnsLab();
        var flag = Path.Combine(lab.Dir, "ok");
        var events = Path.Combine(lab.Dir, "events.log");
        var masterMark = Path.Combine(lab.Dir, "became-master");
        File.WriteAllText(flag, "");
        var scripts = new Dictionary<string, object>
        {
            ["chk_ok"] = new { Command = $"test -f {flag}", IntervalSeconds = 0.2, Rise = 1, Fall = 2, Weight = -100 },
        };
        object[] track = [new { Script = "chk_ok" }];
        var notify = new { Master = $"touch {masterMark}", Any = $"echo >> {events}" };
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Track: track, Scripts: scripts, Notify: notify));
        var b = Nodes.Gateway(lab, "b", new Nodes.Spec(3, 100, 0.1));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        Assert.True(await Shell.WaitUntil(() => File.Exists(masterMark), Timeout), a.ToString());

        File.Delete(flag);   // two failed runs: priority 150 − 100 = 50, below b's 100
        await LabAssert.VipOnlyOn(lab, "b", Timeout, a, b);
        Assert.True(await Shell.WaitUntil(() => File.Exists(events) && File.ReadAllText(events).Contains("INSTANCE VI_1 BACKUP 50"), Timeout),
            (File.Exists(events) ? File.ReadAllText(events) : "no events") + "\n" + a);
        Assert.Contains("INSTANCE VI_1 MASTER 150", File.ReadAllText(events));

        File.WriteAllText(flag, "");
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await a.StopAsync();
        Assert.Contains("INSTANCE VI_1 STOP 150", File.ReadAllText(events));
    }
}
