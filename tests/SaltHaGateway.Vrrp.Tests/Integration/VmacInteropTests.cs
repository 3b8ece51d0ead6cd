namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// use_vmac beside keepalived 2.2.7: the gateway creates the macvlan vrrp.51 with MAC 00:00:5e:00:01:33, puts the
/// VIP on it and sends its adverts from it; keepalived accepts them and the link learns the virtual MAC.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class VmacInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string VirtualMac = "00:00:5e:00:01:33";   // VRID 51

    private static bool VipOnVmac(NetnsLab lab, string node) =>
        lab.IpIn(node, "-4", "-o", "addr", "show", "dev", "vrrp.51").Contains($" {NetnsLab.Vip}/", StringComparison.Ordinal);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_vmac_carries_the_vip_and_its_adverts(bool keepalivedVmac)
    {
        await using var lab = new NetnsLab();
        var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 100, 0.1, KeepalivedExtra: keepalivedVmac ? "use_vmac" : null));
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, GatewayExtra: new() { ["UseVmac"] = true }));
        await LabAssert.Started(gw, ka);

        bool master = await Shell.WaitUntil(() => VipOnVmac(lab, "a") && !lab.HasVip("b") && !VipOnVmac(lab, "b"), Timeout);
        Assert.True(master, lab.IpIn("a", "-o", "addr") + lab.IpIn("b", "-o", "addr") + gw + "\n" + ka);
        VmacAssert.IsTheVirtualRouterLink(lab, VirtualMac);

        // Adverts leave from the virtual MAC: the bridge learns it on a's port, and keepalived stays backup.
        await VmacAssert.AdvertsComeFromTheVirtualMac(lab, VirtualMac, () => lab.HasVip("b") || VipOnVmac(lab, "b"), ka);
        Assert.True(await Shell.WaitUntil(() => lab.ObserverNeighbour() == VirtualMac, Timeout),
            $"observer should know the VIP at {VirtualMac}, has {lab.ObserverNeighbour() ?? "nothing"}\n{gw}");

        await gw.StopAsync();
        bool movedToB = await Shell.WaitUntil(() => keepalivedVmac ? VipOnVmac(lab, "b") : lab.HasVip("b"), Timeout);
        Assert.True(movedToB, lab.IpIn("b", "-o", "addr") + ka);
        Assert.DoesNotContain(" vrrp.51@", lab.IpIn("a", "-o", "link"), StringComparison.Ordinal);   // removed at stop, as keepalived does
    }
}

/// <summary>
/// use_vmac on an IPv6 instance beside keepalived 2.2.7: the macvlan gets MAC 00:00:5e:00:02:VRID, no link-local
/// address of its own making, and the base's link-local (deprecated, no DAD) as the source of its adverts, exactly
/// as keepalived leaves it. The observer learns the VIP at the virtual MAC from the Neighbour Advertisements.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class Ipv6VmacInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string VirtualMac = "00:00:5e:00:02:33";   // VRID 51, IPv6
    private const string MacDerivedLinkLocal = "fe80::200:5eff:fe00:233";

    private static bool VipOnVmac(NetnsLab lab, string node) =>
        lab.IpIn(node, "-6", "-o", "addr", "show", "dev", "vrrp.51").Contains($" {NetnsLab.Vip6}/", StringComparison.Ordinal);

    private static string LinkLocal(NetnsLab lab, string node) =>
        lab.IpIn(node, "-6", "-o", "addr", "show", "dev", NetnsLab.Dev(node), "scope", "link").Split("inet6 ")[1].Split('/')[0];

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_ipv6_vmac_interoperates_with_keepalived(bool keepalivedVmac)
    {
        await using var lab = new NetnsLab(ipv6: true);
        var kaSpec = new Nodes.Spec(3, 100, 0.1, KeepalivedExtra: keepalivedVmac ? "use_vmac" : null);
        var ka = Nodes.Keepalived(lab, "b", kaSpec);
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, GatewayExtra: new() { ["UseVmac"] = true }));
        await LabAssert.Started(gw, ka);

        bool master = await Shell.WaitUntil(() => VipOnVmac(lab, "a") && !lab.HasVip("b") && !VipOnVmac(lab, "b"), Timeout);
        Assert.True(master, lab.IpIn("a", "-6", "-o", "addr") + lab.IpIn("b", "-6", "-o", "addr") + gw + "\n" + ka);
        VmacAssert.IsTheVirtualRouterLink(lab, VirtualMac);
        // The vmac holds the base's link-local, deprecated and without DAD, and none made from the virtual MAC
        // (which every node of the router would share).
        var vmacAddresses = lab.IpIn("a", "-6", "-o", "addr", "show", "dev", "vrrp.51");
        var linkLocal = vmacAddresses.Split('\n').SingleOrDefault(l => l.Contains(" scope link", StringComparison.Ordinal));
        Assert.True(linkLocal is not null, vmacAddresses);
        Assert.Contains($" {LinkLocal(lab, "a")}/64 ", linkLocal, StringComparison.Ordinal);
        Assert.Contains("deprecated", linkLocal, StringComparison.Ordinal);
        Assert.Contains("nodad", linkLocal, StringComparison.Ordinal);
        Assert.DoesNotContain(MacDerivedLinkLocal, vmacAddresses, StringComparison.Ordinal);

        // Adverts leave from the virtual MAC with that source: the bridge learns the MAC on a's port, and keepalived
        // (checksum over the pseudo-header with that source) stays backup.
        await VmacAssert.AdvertsComeFromTheVirtualMac(lab, VirtualMac, () => lab.HasVip("b") || VipOnVmac(lab, "b"), ka);
        Assert.True(await Shell.WaitUntil(() => lab.ObserverNeighbour() == VirtualMac, Timeout),
            $"observer should know the VIP at {VirtualMac} from the NA, has {lab.ObserverNeighbour() ?? "nothing"}\n{gw}");

        await gw.StopAsync();
        Assert.True(await Shell.WaitUntil(() => keepalivedVmac ? VipOnVmac(lab, "b") : lab.HasVip("b"), Timeout), lab.IpIn("b", "-6", "-o", "addr") + ka);
        Assert.True(ka.OutputContains("Backup received priority 0 advertisement"), ka.ToString());
        Assert.DoesNotContain(" vrrp.51@", lab.IpIn("a", "-o", "link"), StringComparison.Ordinal);   // removed at stop, as keepalived does

        // Now the gateway is the backup: keepalived's adverts reach its vmac socket (with keepalived's vmac they carry
        // the very same source MAC, which the macvlan hands to the vmac alone), so it never claims the VIP.
        var backup = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 50, 0.1, GatewayExtra: new() { ["UseVmac"] = true }));
        await LabAssert.Started(backup, ka);
        Assert.True(await Shell.WaitUntil(() => lab.IpIn("a", "-o", "link").Contains(" vrrp.51@", StringComparison.Ordinal), Timeout), backup.ToString());
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (DateTime.UtcNow < until)
        {
            Assert.False(VipOnVmac(lab, "a"), "the backup gateway claimed the VIP: it did not see keepalived's adverts\n" + backup);
            await Task.Delay(100);
        }
        Assert.DoesNotContain("rejected advert", backup.Output, StringComparison.Ordinal);
    }
}

/// <summary>What every vmac interop test checks on node a, for either family.</summary>
internal static class VmacAssert
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    /// <summary>vrrp.51 on a is a private macvlan with the virtual MAC, and the VIP is not on the base interface.</summary>
    public static void IsTheVirtualRouterLink(NetnsLab lab, string virtualMac)
    {
        var link = lab.IpIn("a", "-d", "-o", "link", "show", "dev", "vrrp.51");
        Assert.Contains("link/ether " + virtualMac, link, StringComparison.Ordinal);
        Assert.Contains("macvlan mode private", link, StringComparison.Ordinal);
        Assert.False(lab.HasVip("a"), "the VIP belongs on the vmac, not on the base interface");
    }

    /// <summary>The bridge learns the virtual MAC on a's port, and keepalived (on b) accepts those adverts: for
    /// 1.5 s it does not take the VIP.</summary>
    public static async Task AdvertsComeFromTheVirtualMac(NetnsLab lab, string virtualMac, Func<bool> keepalivedHasVip, NodeProcess keepalived)
    {
        Assert.True(await Shell.WaitUntil(() => Shell.Run("bridge", "-n", lab.Ns("h"), "fdb", "show", "dev", "ha").Output.Contains(virtualMac, StringComparison.Ordinal), Timeout),
            Shell.Run("bridge", "-n", lab.Ns("h"), "fdb", "show").Output);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1.5);
        while (DateTime.UtcNow < until)
        {
            Assert.False(keepalivedHasVip(), "keepalived took the VIP: it did not accept adverts from the vmac\n" + keepalived);
            await Task.Delay(100);
        }
    }
}
