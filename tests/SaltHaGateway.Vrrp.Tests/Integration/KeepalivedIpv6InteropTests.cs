namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// An IPv6 VIP (fd99::100/64, VRRPv3 over IPv6) between a gateway node and Debian's keepalived 2.2.7, multicast to
/// ff02::12 from the link-local addresses and unicast between fd99::1 and fd99::2. The observer is a router that learns
/// the VIP's MAC only from unsolicited Neighbour Advertisements.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class KeepalivedIpv6InteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static Nodes.Spec Spec(bool unicast, int priority) => new(3, priority, 0.1, unicast);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_master_keepalived_backup_and_back(bool unicast)
    {
        await using var lab = new NetnsLab(ipv6: true);
        const string admin = "http://127.0.0.1:18086";   // loopback of node a's own namespace
        var ka = Nodes.Keepalived(lab, "b", Spec(unicast, 100));
        var gw = Nodes.Gateway(lab, "a", Spec(unicast, 150), "--admin", admin);
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
        await LabAssert.ObserverLearned(lab, "a", Timeout, gw, ka);
        // keepalived accepts the gateway's adverts (VRRPv3, checksum over the IPv6 pseudo-header, the IPv6 VIP list);
        // otherwise it would claim the VIP as well.
        await LabAssert.VipStaysOn(lab, "a", TimeSpan.FromSeconds(1.5), gw, ka);
        var status = lab.Curl("a", admin + "/vrrp/status");
        Assert.Contains("\"family\":\"ipv6\"", status, StringComparison.Ordinal);
        Assert.Contains("\"virtualAddresses\":[\"fd99::100/64\"]", status, StringComparison.Ordinal);
        Assert.Contains("saltha_vrrp_instance_info{instance=\"VI_1\",family=\"ipv6\",version=\"3\",interface=\"va\"} 1",
            lab.Curl("a", admin + "/metrics"), StringComparison.Ordinal);
        // keepalived's IPv6 VIPs skip DAD; so do the gateway's.
        Assert.DoesNotContain("tentative", lab.IpIn("a", "-6", "-o", "addr", "show", "dev", "va"), StringComparison.Ordinal);

        await gw.StopAsync();
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        Assert.True(ka.OutputContains("Backup received priority 0 advertisement"), ka.ToString());
        await LabAssert.ObserverLearned(lab, "b", Timeout, gw, ka);

        var gw2 = Nodes.Gateway(lab, "a", Spec(unicast, 150));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw2, ka);
        await LabAssert.ObserverLearned(lab, "a", Timeout, gw2, ka);
        Assert.True(ka.OutputContains("with higher priority 150, ours 100"), ka.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Keepalived_master_gateway_backup_takes_over(bool unicast)
    {
        await using var lab = new NetnsLab(ipv6: true);
        var ka = Nodes.Keepalived(lab, "b", Spec(unicast, 200));
        var gw = Nodes.Gateway(lab, "a", Spec(unicast, 100));
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        await LabAssert.ObserverLearned(lab, "b", Timeout, gw, ka);
        // The gateway accepts keepalived's adverts (hop limit and destination from the control messages, checksum,
        // VIP list), or it would claim the VIP too.
        await LabAssert.VipStaysOn(lab, "b", TimeSpan.FromSeconds(2), gw, ka);
        Assert.DoesNotContain("rejected advert", gw.Output, StringComparison.Ordinal);

        await ka.StopAsync();
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
        await LabAssert.ObserverLearned(lab, "a", Timeout, gw, ka);
        Assert.True(gw.OutputContains("resigned (priority 0 advert)"), gw.ToString());
    }
}
