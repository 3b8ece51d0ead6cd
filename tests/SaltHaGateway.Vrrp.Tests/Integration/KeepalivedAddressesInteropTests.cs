namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// Addresses on a second interface with a label, excluded addresses, and routes and rules that follow the VIP,
/// with Debian's keepalived 2.2.7 as the peer: both sides install the same objects when master and remove them
/// when they leave it.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class KeepalivedAddressesInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private static readonly Nodes.IpLines Ip = new(
        Vips: [NetnsLab.Vip + "/32", "10.98.0.100/24 dev {dev2} label {dev2}:vip"],
        Excluded: ["10.98.0.200/24 dev {dev2}"],
        Routes: ["192.168.77.0/24 via 10.98.0.254 dev {dev2}",
            // Multipath, in keepalived's older form and with nexthop.
            "192.168.78.0/24 via 10.98.0.253 or 10.99.0.252",
            "192.168.79.0/24 nexthop via 10.98.0.253 dev {dev2} weight 3 nexthop via 10.99.0.254 dev {dev}"],
        Rules: ["from 10.98.0.100 table 100"]);

    private static bool HoldsAll(NetnsLab lab, string node)
    {
        string dev2 = NetnsLab.Dev2(node);
        var addresses = lab.IpIn(node, "-o", "addr", "show", "dev", dev2).Split('\n');
        bool labelled = addresses.Any(l => l.Contains(" 10.98.0.100/24 ", StringComparison.Ordinal) && l.Contains(" " + dev2 + ":vip", StringComparison.Ordinal));
        bool excluded = addresses.Any(l => l.Contains(" 10.98.0.200/24 ", StringComparison.Ordinal));
        var route = lab.IpIn(node, "route", "show", "192.168.77.0/24");
        bool routed = route.Contains("via 10.98.0.254 dev " + dev2, StringComparison.Ordinal) && route.Contains("proto keepalived", StringComparison.Ordinal);
        bool ruled = lab.IpIn(node, "rule", "show").Contains("from 10.98.0.100 lookup 100", StringComparison.Ordinal);
        return labelled && excluded && routed && ruled
            && Multipath(lab, node, "192.168.78.0/24") == $"nexthop via 10.98.0.253 dev {dev2} weight 1|nexthop via 10.99.0.252 dev {NetnsLab.Dev(node)} weight 1"
            && Multipath(lab, node, "192.168.79.0/24") == $"nexthop via 10.98.0.253 dev {dev2} weight 3|nexthop via 10.99.0.254 dev {NetnsLab.Dev(node)} weight 1";
    }

    /// <summary>A multipath route's next hops as "ip route" prints them (one per line, here joined by '|'), when keepalived's protocol installed it.</summary>
    private static string Multipath(NetnsLab lab, string node, string prefix)
    {
        var lines = lab.IpIn(node, "route", "show", prefix).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 0 && lines[0] == prefix + " proto keepalived" ? string.Join('|', lines.Skip(1)) : "";
    }

    private static bool HoldsNone(NetnsLab lab, string node)
    {
        var addresses = lab.IpIn(node, "-o", "addr", "show", "dev", NetnsLab.Dev2(node));
        return !addresses.Contains(" 10.98.0.100/", StringComparison.Ordinal)
            && !addresses.Contains(" 10.98.0.200/", StringComparison.Ordinal)
            && lab.IpIn(node, "route", "show", "192.168.77.0/24").Trim().Length == 0
            && lab.IpIn(node, "route", "show", "192.168.78.0/24").Trim().Length == 0
            && lab.IpIn(node, "route", "show", "192.168.79.0/24").Trim().Length == 0
            && !lab.IpIn(node, "rule", "show").Contains("from 10.98.0.100", StringComparison.Ordinal);
    }

    private static async Task OnlyOn(NetnsLab lab, string owner, params NodeProcess[] nodes)
    {
        string other = owner == "a" ? "b" : "a";
        await LabAssert.VipOnlyOn(lab, owner, Timeout, nodes);
        bool ok = await Shell.WaitUntil(() => HoldsAll(lab, owner) && HoldsNone(lab, other), Timeout);
        Assert.True(ok, $"label, excluded address, route and rule expected only on {owner}\n--- {owner} ---\n"
            + lab.IpIn(owner, "-o", "addr") + lab.IpIn(owner, "route", "show", "table", "all") + lab.IpIn(owner, "rule")
            + $"--- {other} ---\n" + lab.IpIn(other, "-o", "addr") + lab.IpIn(other, "route", "show", "table", "all") + lab.IpIn(other, "rule")
            + string.Join('\n', nodes.Select(n => n.ToString())));
    }

    [Fact]
    public async Task Label_excluded_address_route_and_rule_follow_the_vip_between_gateway_and_keepalived()
    {
        await using var lab = new NetnsLab();
        lab.AddSecondLink();
        var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 100, 0.1, Ip: Ip));
        const string admin = "http://127.0.0.1:18081";   // loopback of node a's own namespace
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Ip: Ip), "--admin", admin);
        await OnlyOn(lab, "a", gw, ka);
        // keepalived accepts our adverts: they list the two VIPs and not the excluded address.
        await LabAssert.VipStaysOn(lab, "a", TimeSpan.FromSeconds(1.5), gw, ka);
        var status = lab.Curl("a", admin + "/vrrp/status");
        Assert.Contains("\"installed\":true", status, StringComparison.Ordinal);
        Assert.Contains("10.98.0.100/24 dev wa label wa:vip", status, StringComparison.Ordinal);
        Assert.Contains("192.168.77.0/24 via 10.98.0.254 dev wa", status, StringComparison.Ordinal);
        var metrics = lab.Curl("a", admin + "/metrics");
        Assert.Contains("192.168.79.0/24 nexthop via 10.98.0.253 dev wa weight 3 nexthop via 10.99.0.254 dev va", status, StringComparison.Ordinal);
        Assert.Contains("saltha_vrrp_virtual_objects{instance=\"VI_1\",kind=\"route\"} 3", metrics, StringComparison.Ordinal);
        Assert.Contains("saltha_vrrp_virtual_objects{instance=\"VI_1\",kind=\"excluded_address\"} 1", metrics, StringComparison.Ordinal);

        await gw.StopAsync();
        await OnlyOn(lab, "b", gw, ka);

        var gw2 = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Ip: Ip));
        await OnlyOn(lab, "a", gw2, ka);

        // The second interface carries a VIP without no_track, so the instance tracks it: down means FAULT.
        Shell.Ip("-n", lab.Ns("a"), "link", "set", NetnsLab.Dev2("a"), "down");
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw2, ka);
        Assert.True(await Shell.WaitUntil(() => gw2.OutputContains("MASTER -> FAULT"), Timeout), gw2.ToString());
    }

    [Fact]
    public async Task No_track_address_on_a_down_interface_does_not_fault_the_instance()
    {
        await using var lab = new NetnsLab();
        lab.AddSecondLink();
        var ip = new Nodes.IpLines([NetnsLab.Vip + "/32", "10.98.0.100/24 dev {dev2} no_track"]);
        var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 100, 0.1, Ip: ip));
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 150, 0.1, Ip: ip));
        await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
        Shell.Ip("-n", lab.Ns("a"), "link", "set", NetnsLab.Dev2("a"), "down");
        await LabAssert.VipStaysOn(lab, "a", TimeSpan.FromSeconds(1.5), gw, ka);
        Assert.False(gw.OutputContains("-> FAULT"), gw.ToString());
    }

    [Fact]
    public async Task Static_address_and_route_are_installed_at_start_and_removed_at_stop()
    {
        await using var lab = new NetnsLab();
        lab.AddSecondLink();
        var ip = new Nodes.IpLines([NetnsLab.Vip + "/32"],
            StaticAddresses: ["10.98.0.50/24 dev {dev2} label {dev2}:st"],
            StaticRoutes: ["192.168.88.0/24 via 10.98.0.254 dev {dev2}"]);
        // Priority 100 and a keepalived master at 200: the static objects do not depend on the state.
        var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 200, 0.1));
        var gw = Nodes.Gateway(lab, "a", new Nodes.Spec(3, 100, 0.1, Ip: ip));
        bool installed = await Shell.WaitUntil(() =>
            lab.IpIn("a", "-o", "addr", "show", "dev", NetnsLab.Dev2("a")).Contains("wa:st", StringComparison.Ordinal)
            && lab.IpIn("a", "route", "show", "192.168.88.0/24").Contains("via 10.98.0.254", StringComparison.Ordinal), Timeout);
        Assert.True(installed, lab.IpIn("a", "-o", "addr") + lab.IpIn("a", "route") + gw);
        // keepalived is master only after its master-down interval; the static objects come before that.
        await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
        await LabAssert.VipStaysOn(lab, "b", TimeSpan.FromSeconds(1), gw, ka);

        await gw.StopAsync();
        string addresses = lab.IpIn("a", "-o", "addr");
        Assert.False(addresses.Contains("10.98.0.50/", StringComparison.Ordinal), "static address left after the stop\n" + addresses + gw);
        Assert.True(lab.IpIn("a", "route", "show", "192.168.88.0/24").Trim() == "", "static route left after the stop\n" + lab.IpIn("a", "route") + gw);
    }
}
