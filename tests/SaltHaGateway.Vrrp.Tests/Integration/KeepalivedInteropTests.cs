namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>A gateway node paired with Debian's keepalived 2.2.7, each side as master and as backup.</summary>
[Collection(NetnsCollection.Name)]
public sealed class KeepalivedInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static TheoryData<int, bool, string?> Modes => new()
    {
        { 2, false, "secret12" },   // keepalived's default: VRRPv2 multicast with PASS
        { 3, false, null },         // VRRPv3 multicast
        { 3, true, null },          // VRRPv3 unicast: checksum over the real destination
    };

    private static Nodes.Spec Spec(int version, bool unicast, string? password, int priority) =>
        new(version, priority, version == 2 ? 1 : 0.1, unicast, password);

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Gateway_master_keepalived_backup(int version, bool unicast, string? password)
    {
        await using var lab = new NetnsLab();
        var ka = Nodes.Keepalived(lab, "b", Spec(version, unicast, password, 100));
        var gw = Nodes.Gateway(lab, "a", Spec(version, unicast, password, 150));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
        await LabAssert.VipStaysOn(lab, "a", TimeSpan.FromSeconds(version == 2 ? 5 : 1.5), gw, ka);

        await gw.StopAsync();
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        Assert.True(ka.OutputContains("Backup received priority 0 advertisement"), ka.ToString());

        var gw2 = Nodes.Gateway(lab, "a", Spec(version, unicast, password, 150));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw2, ka);
        await LabAssert.ObserverLearned(lab, "a", Timeout, gw2, ka);
        Assert.True(ka.OutputContains("with higher priority 150, ours 100"), ka.ToString());
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task Keepalived_master_gateway_backup(int version, bool unicast, string? password)
    {
        await using var lab = new NetnsLab();
        var ka = Nodes.Keepalived(lab, "b", Spec(version, unicast, password, 200));
        var gw = Nodes.Gateway(lab, "a", Spec(version, unicast, password, 100));
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        // The gateway must accept keepalived's adverts (codec, checksum, auth) or it would claim the VIP too.
        await LabAssert.VipStaysOn(lab, "b", TimeSpan.FromSeconds(version == 2 ? 6 : 2), gw, ka);

        await ka.StopAsync();
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
        await LabAssert.ObserverLearned(lab, "a", Timeout, gw, ka);
    }

    [Fact]
    public async Task Fault_on_gateway_master_hands_the_vip_to_keepalived()
    {
        await using var lab = new NetnsLab();
        var flag = Path.Combine(lab.Dir, "healthy");
        File.WriteAllText(flag, "");
        object[] track = [new { Condition = "file:healthy", Weight = 0 }];
        var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 100, 0.1));
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Track: track), "--file-condition", "file:healthy=" + flag);
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);

        File.Delete(flag);
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        Assert.True(await Shell.WaitUntil(() => gw.OutputContains("MASTER -> FAULT"), Timeout), gw.ToString());

        File.WriteAllText(flag, "");
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
    }
}
