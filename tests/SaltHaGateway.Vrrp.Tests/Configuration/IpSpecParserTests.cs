using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tests.Configuration;

public sealed class IpSpecParserTests
{
    [Fact]
    public void Address_options_are_read_as_keepalived_writes_them()
    {
        Assert.True(IpSpecParser.TryParseAddress("192.168.200.18/24 dev eth2 label eth2:1 scope link brd 192.168.200.255 no_track", out var a, out _));
        Assert.Equal("192.168.200.18/24", a!.Address.ToString());
        Assert.Equal("eth2", a.Device);
        Assert.Equal("eth2:1", a.Label);
        Assert.Equal(253, a.Scope);
        Assert.Equal("192.168.200.255", a.Broadcast!.ToString());
        Assert.True(a.NoTrack);
        Assert.True(IpSpecParser.TryParseAddress("2001:db8::1/64 dev eth0 -nodad", out var v6, out _));
        Assert.True(v6!.KeepDad);
        Assert.False(v6.SkipsDad);   // keepalived's "-nodad" leaves DAD on; without it IPv6 VIPs skip DAD
        Assert.True(IpSpecParser.TryParseAddress("10.0.0.1", out var bare, out _));
        Assert.Equal(32, bare!.Address.PrefixLength);
        Assert.Null(bare.Device);
    }

    [Theory]
    [InlineData("10.0.0.1 peer 10.0.0.2", "option 'peer' is not supported")]
    [InlineData("10.0.0.1 dev", "'dev' needs a value")]
    [InlineData("10.0.0.1 scope galaxy", "scope 'galaxy'")]
    [InlineData("10.0.0.1 label averyveryverylonglabel", "must be 1..15 characters")]
    [InlineData("10.0.0.300", "is not an address")]
    [InlineData("2001:db8::1 label x:1", "label applies to IPv4 addresses only")]
    public void Bad_addresses_say_which_word_is_wrong(string line, string error)
    {
        Assert.False(IpSpecParser.TryParseAddress(line, out _, out var e));
        Assert.Contains(error, e);
    }

    [Fact]
    public void Routes_in_the_forms_of_the_keepalived_manual()
    {
        Assert.True(IpSpecParser.TryParseRoute("src 192.168.100.1 to 192.168.109.0/24 via 192.168.200.254 dev eth1", out var r, out _));
        Assert.Equal("192.168.109.0/24", r!.Destination.ToString());
        Assert.Equal("192.168.200.254", r.Gateway!.ToString());
        Assert.Equal("192.168.100.1", r.Source!.ToString());
        Assert.Equal("eth1", r.Device);
        Assert.Equal(IpSpecParser.MainTable, r.Table);
        Assert.Equal(IpSpecParser.KeepalivedProtocol, r.Protocol);
        Assert.True(IpSpecParser.TryParseRoute("blackhole 192.168.114.0/24", out var b, out _));
        Assert.Equal(RouteKind.Blackhole, b!.Kind);
        Assert.True(IpSpecParser.TryParseRoute("0.0.0.0/0 gw 192.168.0.1 table 100", out var d, out _));
        Assert.Equal(0, d!.Destination.PrefixLength);
        Assert.Equal(100u, d.Table);
        Assert.True(IpSpecParser.TryParseRoute("192.168.111.5/24 dev eth2 no_track metric 7", out var n, out _));
        Assert.Equal("192.168.111.0/24", n!.Destination.ToString());
        Assert.True(n.NoTrack);
        Assert.Equal(7u, n.Metric);
    }

    [Fact]
    public void Multipath_routes_in_both_keepalived_forms()
    {
        // keepalived's older "via A or B" is two next hops; the route's device goes with each of them.
        Assert.True(IpSpecParser.TryParseRoute("192.168.113.0/24 via 192.168.200.254 or 192.168.100.254 dev eth1", out var or, out var e), e);
        Assert.Null(or!.Gateway);
        Assert.Equal("eth1", or.Device);
        Assert.Equal([new NextHop(System.Net.IPAddress.Parse("192.168.200.254"), null, null, false), new NextHop(System.Net.IPAddress.Parse("192.168.100.254"), null, null, false)], or.NextHops);
        Assert.Equal("192.168.113.0/24 dev eth1 nexthop via 192.168.200.254 nexthop via 192.168.100.254", or.ToString());
        Assert.True(IpSpecParser.TryParseRoute("10.9.0.0/16 table 7 nexthop via 10.0.0.1 dev eth0 weight 3 nexthop via 10.1.0.1 dev eth1 onlink", out var nh, out e), e);
        Assert.Equal(7u, nh!.Table);
        Assert.Equal(2, nh.NextHops.Count);
        Assert.Equal(new NextHop(System.Net.IPAddress.Parse("10.0.0.1"), "eth0", 3, false), nh.NextHops[0]);
        Assert.Equal(new NextHop(System.Net.IPAddress.Parse("10.1.0.1"), "eth1", null, true), nh.NextHops[1]);
        Assert.Equal("10.9.0.0/16 table 7 nexthop via 10.0.0.1 dev eth0 weight 3 nexthop via 10.1.0.1 dev eth1 onlink", nh.ToString());
    }

    [Theory]
    [InlineData("192.168.113.0/24 or 192.168.100.254", "'or' needs a 'via' before it")]
    [InlineData("192.168.113.0/24 via 10.0.0.1 or 10.0.0.2 or 10.0.0.3", "only one 'or'")]
    [InlineData("192.168.113.0/24 via 10.0.0.1 nexthop via 10.0.0.2", "'via' and 'nexthop' cannot be combined")]
    [InlineData("192.168.113.0/24 nexthop via 10.0.0.2 weight 0", "weight '0' is not 1..256")]
    [InlineData("192.168.113.0/24 nexthop weight 2", "a nexthop needs 'via ADDRESS' or 'dev INTERFACE'")]
    [InlineData("192.168.113.0/24 nexthop via 10.0.0.2 table 5", "'table' is not supported in a nexthop")]
    [InlineData("192.168.113.0/24 nexthop via 2001:db8::1", "a next hop and the destination are of different address families")]
    [InlineData("blackhole 10.0.0.0/8 nexthop via 10.0.0.1", "takes no gateway or device")]
    [InlineData("192.168.1.0/24", "needs 'via ADDRESS', 'dev INTERFACE' or next hops")]
    [InlineData("blackhole 10.0.0.0/8 dev eth0", "takes no gateway or device")]
    [InlineData("10.0.0.0/8 via 2001:db8::1", "different address families")]
    [InlineData("dev eth0", "no destination prefix")]
    public void Bad_routes_are_explained(string line, string error)
    {
        Assert.False(IpSpecParser.TryParseRoute(line, out _, out var e));
        Assert.Contains(error, e);
    }

    [Fact]
    public void Rules_need_a_table()
    {
        Assert.True(IpSpecParser.TryParseRule("from 192.168.28.0/24 to 192.168.29.0/26 table 6 iif eth0 fwmark 0x18/12 priority 39 no_track", out var r, out _));
        Assert.Equal("192.168.28.0/24", r!.From!.Value.ToString());
        Assert.Equal(26, r.To!.Value.PrefixLength);
        Assert.Equal(0x18u, r.FirewallMark);
        Assert.Equal(12u, r.FirewallMask);
        Assert.Equal(39u, r.Priority);
        Assert.Equal("eth0", r.InputInterface);
        Assert.False(IpSpecParser.TryParseRule("from 10.0.0.0/8", out _, out var e));
        Assert.Contains("needs 'table N'", e);
        Assert.False(IpSpecParser.TryParseRule("from 10.0.0.0/8 to 2001:db8::/32 table 1", out _, out e));
        Assert.Contains("different address families", e);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build().GetSection("Vrrp");

    [Fact]
    public void Validation_names_the_list_entry_and_the_reason()
    {
        var section = Section(
            ("Vrrp:Instances:VI_1:Interface", "eth0"),
            ("Vrrp:Instances:VI_1:VirtualRouterId", "5"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.1/24 dev eth1 label eth1:1"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:1", "2001:db8::1"),
            ("Vrrp:Instances:VI_1:ExcludedAddresses:0", "10.0.0.1/24 dev eth1"),
            ("Vrrp:Instances:VI_1:VirtualRoutes:0", "10.1.0.0/16"),
            ("Vrrp:Instances:VI_1:VirtualRules:0", "from 10.0.0.1 lookup"),
            ("Vrrp:Instances:VI_1:MulticastSource", "10.0.0.9"),
            ("Vrrp:Instances:VI_1:UnicastSource", "10.0.0.8"),
            ("Vrrp:StaticAddresses:0", "192.168.1.1/24"),
            ("Vrrp:StaticRoutes:0", "192.168.2.0/24 via 192.168.1.254 bogus"));
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(section);
        string p = "Vrrp:Instances:VI_1:";
        Assert.Contains(errors, e => e.StartsWith(p + "VirtualAddresses:1: '2001:db8::1' is IPv6 but the instance's first address is IPv4", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(p + "ExcludedAddresses:0: 10.0.0.1 on eth1 is already listed at VirtualAddresses:0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(p + "VirtualRoutes:0: '10.1.0.0/16': a route needs", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(p + "VirtualRules:0: 'from 10.0.0.1 lookup': 'lookup' needs a value", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith(p + "MulticastSource: differs from UnicastSource", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Vrrp:StaticAddresses:0: '192.168.1.1/24': give 'dev INTERFACE'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Vrrp:StaticRoutes:0: '192.168.2.0/24 via 192.168.1.254 bogus': 'bogus' is not supported", StringComparison.Ordinal));
        Assert.Throws<VrrpConfigurationException>(() => new ServiceCollection().AddVrrp(section));
    }
}

public sealed class VmacOptionsTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build().GetSection("Vrrp");

    [Fact]
    public void Vmac_name_and_unicast_rules()
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(
            ("Vrrp:Instances:VI_1:Interface", "eth0"),
            ("Vrrp:Instances:VI_1:VirtualRouterId", "5"),
            ("Vrrp:Instances:VI_1:VirtualAddresses:0", "10.0.0.1"),
            ("Vrrp:Instances:VI_1:UseVmac", "true"),
            ("Vrrp:Instances:VI_1:VmacInterface", "a-name-far-too-long"),
            ("Vrrp:Instances:VI_1:UnicastPeers:0", "10.0.0.2")));
        Assert.Contains(errors, e => e.StartsWith("Vrrp:Instances:VI_1:VmacInterface: 'a-name-far-too-long' is not a valid interface name", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Vrrp:Instances:VI_1:VmacTransmitOnBase: unicast peers with UseVmac need VmacTransmitOnBase", StringComparison.Ordinal));
    }
}
