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
        var link = lab.IpIn("a", "-d", "-o", "link", "show", "dev", "vrrp.51");
        Assert.Contains("link/ether " + VirtualMac, link, StringComparison.Ordinal);
        Assert.Contains("macvlan mode private", link, StringComparison.Ordinal);
        Assert.False(lab.HasVip("a"), "the VIP belongs on the vmac, not on the base interface");

        // Adverts leave from the virtual MAC: the bridge learns it on a's port, and keepalived stays backup.
        Assert.True(await Shell.WaitUntil(() => Shell.Run("bridge", "-n", lab.Ns("h"), "fdb", "show", "dev", "ha").Output.Contains(VirtualMac, StringComparison.Ordinal), Timeout),
            Shell.Run("bridge", "-n", lab.Ns("h"), "fdb", "show").Output);
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(1.5);
        while (DateTime.UtcNow < until)
        {
            Assert.False(lab.HasVip("b") || VipOnVmac(lab, "b"), "keepalived took the VIP: it did not accept adverts from the vmac\n" + ka);
            await Task.Delay(100);
        }
        Assert.True(await Shell.WaitUntil(() => lab.ObserverNeighbour() == VirtualMac, Timeout),
            $"observer should know the VIP at {VirtualMac}, has {lab.ObserverNeighbour() ?? "nothing"}\n{gw}");

        await gw.StopAsync();
        bool movedToB = await Shell.WaitUntil(() => keepalivedVmac ? VipOnVmac(lab, "b") : lab.HasVip("b"), Timeout);
        Assert.True(movedToB, lab.IpIn("b", "-o", "addr") + ka);
        Assert.DoesNotContain(" vrrp.51@", lab.IpIn("a", "-o", "link"), StringComparison.Ordinal);   // removed at stop, as keepalived does
    }
}
