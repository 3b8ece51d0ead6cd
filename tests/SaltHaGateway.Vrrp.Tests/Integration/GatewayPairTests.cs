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
    public async Task Mismatched_password_is_rejected_counted_and_reported_while_both_claim_the_vip()
    {
        await using var lab = new NetnsLab();
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(2, 150, 1, Password: "right"));
        var b = Nodes.Gateway(lab, "b", new Nodes.Spec(2, 100, 1, Password: "wrong"), "--admin", "http://127.0.0.1:8080");
        await LabAssert.Started(a, b);
        bool both = await Shell.WaitUntil(() => lab.HasVip("a") && lab.HasVip("b"), Timeout);
        Assert.True(both, a + "\n" + b);
        Assert.True(await Shell.WaitUntil(() => b.OutputContains("auth_password (authentication password differs)"), Timeout), b.ToString());

        var status = lab.Curl("b", "http://127.0.0.1:8080/vrrp/status");
        using var doc = System.Text.Json.JsonDocument.Parse(status);
        var vi = doc.RootElement.GetProperty("instances")[0];
        Assert.Equal("master", vi.GetProperty("state").GetString());
        Assert.True(vi.GetProperty("rejected").GetProperty("auth_password").GetInt64() > 0, status);

        var metrics = lab.Curl("b", "http://127.0.0.1:8080/metrics");
        Assert.Contains("saltha_vrrp_state{instance=\"VI_1\"} 2", metrics);
        Assert.Contains("saltha_vrrp_rejected_packets_total{instance=\"VI_1\",reason=\"auth_password\"}", metrics);
        Assert.Contains("saltha_vrrp_effective_priority{instance=\"VI_1\"} 100", metrics);
    }

    [Fact]
    public async Task Healed_split_brain_leaves_the_vip_on_the_higher_priority_node_and_the_observer_follows()
    {
        await using var lab = new NetnsLab();
        var spec = new Nodes.Spec(Version: 3, Priority: 150, Interval: 0.1);
        var a = Nodes.Gateway(lab, "a", spec);
        var b = Nodes.Gateway(lab, "b", spec with { Priority = 100 });
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await Task.Delay(1500);   // past a's second GARP burst: after healing only the split-brain GARP can fix the observer

        // Isolated bridge ports cannot talk to each other but still reach the observer: adverts stop, links stay up.
        lab.Isolate("a", "b");
        Assert.True(await Shell.WaitUntil(() => lab.HasVip("a") && lab.HasVip("b"), Timeout), a + "\n" + b);
        await LabAssert.ObserverLearned(lab, "b", Timeout, a, b);

        lab.Heal("a", "b");
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await LabAssert.ObserverLearned(lab, "a", Timeout, a, b);
        Assert.True(lab.ObserverCanPing(), "VIP should answer on a after healing");
    }

    [Fact]
    public async Task Own_interface_going_down_is_a_fault_and_the_peer_takes_over()
    {
        await using var lab = new NetnsLab();
        var spec = new Nodes.Spec(Version: 3, Priority: 150, Interval: 0.1);
        var a = Nodes.Gateway(lab, "a", spec);
        var b = Nodes.Gateway(lab, "b", spec with { Priority = 100 });
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        Shell.Ip("-n", lab.Ns("h"), "link", "set", "ha", "down");
        Assert.True(await Shell.WaitUntil(() => a.OutputContains("MASTER -> FAULT"), Timeout), a.ToString());
        await LabAssert.VipOnlyOn(lab, "b", Timeout, a, b);
        Shell.Ip("-n", lab.Ns("h"), "link", "set", "ha", "up");
        await LabAssert.VipOnlyOn(lab, "a", Timeout, a, b);
        await LabAssert.ObserverLearned(lab, "a", Timeout, a, b);
    }

    [Fact]
    public async Task Missing_capabilities_are_reported_at_start()
    {
        await using var lab = new NetnsLab();
        var a = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 100, 0.1), "--unprivileged");
        Assert.True(await Shell.WaitUntil(() => a.HasExited, Timeout), a.ToString());
        Assert.Contains("lacks CAP_NET_RAW", a.Output);
        Assert.Contains("CAP_NET_ADMIN", a.Output);
        Assert.False(lab.HasVip("a"));
    }
}
