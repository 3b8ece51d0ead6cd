namespace SaltHaGateway.Vrrp.Tests.Integration;

[Collection(NetnsCollection.Name)]
public sealed class GatewayPairTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Two_gateways_fail_over_both_ways_and_the_observer_follows_by_gratuitous_arp()
    {
        await using var lab = new NetnsLab();
        var spec = new Nodes.Spec(Version: 3, Priority: 150, Interval: 0.1);
        var a = Nodes.Gateway(lab, "a", spec);
        var b = Nodes.Gateway(lab, "b", spec with { Priority = 100 });
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await LabAssert.ObserverLearned(lab, "a", Timeout, a, b);
        Assert.True(lab.ObserverCanPing(), "VIP should answer on a");

        await a.StopAsync();
        await LabAssert.VipOnlyOn(lab, "b", Timeout, a, b);
        await LabAssert.ObserverLearned(lab, "b", Timeout, a, b);
        Assert.True(lab.ObserverCanPing(), "VIP should answer on b");

        var a2 = Nodes.Gateway(lab, "a", spec);
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a2, b);
        await LabAssert.ObserverLearned(lab, "a", Timeout, a2, b);
        Assert.True(b.OutputContains("MASTER -> BACKUP"), b.ToString());
    }

    [Fact]
    public async Task Graceful_stop_hands_over_without_waiting_for_the_master_down_interval()
    {
        await using var lab = new NetnsLab();
        // The backup's master-down interval is 30.6 s: only the priority-0 advert can make it take over sooner.
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(2, 150, 1));
        var b = Nodes.Gateway(lab, "b", new Nodes.Spec(2, 100, 1, DownTimerAdverts: 30));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await Task.Delay(1500);
        await a.StopAsync();
        await LabAssert.VipOnlyOn(lab, "b", TimeSpan.FromSeconds(10), a, b);
    }

    [Fact]
    public async Task Tracked_condition_going_down_on_the_master_moves_the_vip()
    {
        await using var lab = new NetnsLab();
        var flag = Path.Combine(lab.Dir, "serving");
        File.WriteAllText(flag, "");
        object[] track = [new { Condition = "file:serving", Weight = -100 }];
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Track: track), "--file-condition", "file:serving=" + flag);
        var b = Nodes.Gateway(lab, "b", new Nodes.Spec(3, 100, 0.1));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);

        File.Delete(flag);   // effective priority 150 − 100 = 50 < 100
        await LabAssert.VipOnlyOn(lab, "b", Timeout, a, b);

        File.WriteAllText(flag, "");
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
    }

    [Fact]
    public async Task Mismatched_password_is_rejected_and_both_claim_the_vip()
    {
        await using var lab = new NetnsLab();
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(2, 150, 1, Password: "right"));
        var b = Nodes.Gateway(lab, "b", new Nodes.Spec(2, 100, 1, Password: "wrong"));
        bool both = await Shell.WaitUntil(() => lab.HasVip("a") && lab.HasVip("b"), Timeout);
        Assert.True(both, a + "\n" + b);
        Assert.True(await Shell.WaitUntil(() => b.OutputContains("auth_password"), Timeout), b.ToString());
    }
}
