using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tests.Configuration;

/// <summary>IPv6 instances: family from the first VIP, VRRPv3 only, peers and sources of the same family, vrrp_gna_interval.</summary>
public sealed class VrrpIpv6ValidationTests
{
    private static IConfigurationSection Section(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build().GetSection("Vrrp");

    private const string P = "Vrrp:Instances:VI_6:";

    private static (string, string)[] Base(params (string, string)[] more) =>
    [
        (P + "Interface", "eth0"), (P + "VirtualRouterId", "61"), (P + "VirtualAddresses:0", "fd00::100/64"), .. more,
    ];

    [Fact]
    public void Ipv6_vips_make_a_vrrpv3_ipv6_instance_with_nodad_and_gna_interval()
    {
        var options = new VrrpOptions
        {
            Instances =
            {
                ["VI_6"] = new VrrpInstanceOptions
                {
                    Interface = "eth0", VirtualRouterId = 61, AdvertIntervalSeconds = 0.1,
                    VirtualAddresses = ["fe80::100/64", "2001:db8::100/64", "2001:db8::101"],
                    ExcludedAddresses = ["10.0.0.200/24"],
                    UnicastSource = "2001:db8::1", UnicastPeers = ["2001:db8::2", "fe80::2"],
                    Garp = new VrrpGarpOptions { NaIntervalSeconds = 0.05, IntervalSeconds = 0.01 },
                },
            },
        };
        var errors = new List<string>();
        var def = Assert.Single(VrrpOptionsValidator.Validate(options, errors));
        Assert.Empty(errors);
        var s = def.Settings;
        Assert.Equal(AddressFamily.InterNetworkV6, s.Family);
        Assert.Equal(SaltHaGateway.Vrrp.Wire.VrrpVersion.V3, s.Version);   // Version left out: 3 for IPv6
        Assert.Equal(IPAddress.Parse("ff02::12"), s.MulticastGroup);
        Assert.Equal(TimeSpan.FromMilliseconds(50), s.Garp.NaInterval);
        Assert.Equal(TimeSpan.FromMilliseconds(10), s.Garp.Interval);
        Assert.Equal([IPAddress.Parse("2001:db8::2"), IPAddress.Parse("fe80::2")], s.UnicastPeers);
        Assert.Equal(IPAddress.Parse("2001:db8::1"), def.UnicastSource);
        // keepalived: IPv6 VIPs skip DAD (unless "-nodad"), a /128 is added deprecated.
        Assert.All(def.Objects.Addresses, a => Assert.True(a.SkipsDad));
        Assert.Equal([false, false, true], def.Objects.Addresses.Select(a => a.Deprecated));
        Assert.False(def.Objects.Excluded[0].SkipsDad);
    }

    [Fact]
    public void An_ipv4_instance_keeps_version_2_by_default()
    {
        var errors = new List<string>();
        var defs = VrrpOptionsValidator.Validate(new VrrpOptions
        {
            Instances = { ["VI_1"] = new VrrpInstanceOptions { Interface = "eth0", VirtualRouterId = 1, VirtualAddresses = ["10.0.0.1"] } },
        }, errors);
        Assert.Empty(errors);
        Assert.Equal(SaltHaGateway.Vrrp.Wire.VrrpVersion.V2, defs[0].Settings.Version);
        Assert.Equal(AddressFamily.InterNetwork, defs[0].Settings.Family);
    }

    [Fact]
    public void Version_2_with_ipv6_vips_is_an_error_naming_the_key()
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(Base((P + "Version", "2"))));
        var e = Assert.Single(errors);
        Assert.StartsWith(P + "Version: the VirtualAddresses are IPv6, and VRRP over IPv6 is version 3 only", e, StringComparison.Ordinal);
    }

    [Fact]
    public void Mixed_families_are_refused_where_keepalived_segregates_them()
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(Base(
            (P + "VirtualAddresses:1", "10.0.0.100/24"),
            (P + "ExcludedAddresses:0", "10.0.0.200/24"),     // either family is fine here, as in keepalived
            (P + "UnicastSource", "10.0.0.1"),
            (P + "UnicastPeers:0", "fd00::2"),
            (P + "UnicastPeers:1", "10.0.0.2"),
            (P + "MulticastSource", "fe80::1%eth0"))));
        Assert.Contains(errors, e => e.StartsWith(P + "VirtualAddresses:1: '10.0.0.100/24' is IPv4 but the instance's first address is IPv6", StringComparison.Ordinal));
        Assert.Contains(errors, e => e == P + "UnicastSource: '10.0.0.1' is not an IPv6 address (the VirtualAddresses are IPv6)");
        Assert.Contains(errors, e => e == P + "UnicastPeers:1: '10.0.0.2' is not an IPv6 address (the VirtualAddresses are IPv6)");
        Assert.Contains(errors, e => e.StartsWith(P + "MulticastSource: 'fe80::1%eth0' is not an IPv6 address", StringComparison.Ordinal));
        Assert.False(errors.Any(e => e.StartsWith(P + "UnicastPeers:0", StringComparison.Ordinal) || e.StartsWith(P + "ExcludedAddresses", StringComparison.Ordinal)), string.Join("\n", errors));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void An_ipv6_peer_in_an_ipv4_instance_is_named()
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(
            (P + "Interface", "eth0"), (P + "VirtualRouterId", "61"), (P + "VirtualAddresses:0", "10.0.0.100"), (P + "UnicastPeers:0", "fd00::2")));
        Assert.Equal([P + "UnicastPeers:0: 'fd00::2' is not an IPv4 address"], errors);
    }

    [Theory]
    [InlineData("fd00::100/64", 0x02)]   // RFC 5798 §7.3: the IPv6 virtual router MAC
    [InlineData("10.0.0.100/24", 0x01)]
    public void A_vmac_takes_the_virtual_router_mac_of_the_instance_family(string vip, int fifthByte)
    {
        var options = new VrrpOptions
        {
            Instances =
            {
                ["VI_6"] = new VrrpInstanceOptions { Interface = "eth0", VirtualRouterId = 61, VirtualAddresses = [vip], UseVmac = true },
            },
        };
        var errors = new List<string>();
        var def = Assert.Single(VrrpOptionsValidator.Validate(options, errors));
        Assert.Empty(errors);
        Assert.Equal("vrrp.61", def.Vmac!.Interface);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x5e, 0x00, (byte)fifthByte, 61 }, def.Vmac.Mac);
    }

    [Theory]
    [InlineData("Garp:NaIntervalSeconds", "2", "Garp:NaIntervalSeconds: must be 0..1")]
    [InlineData("Garp:NaIntervalSeconds", "-0.1", "Garp:NaIntervalSeconds: must be 0..1")]
    [InlineData("Version", "4", "Version: must be 2 or 3, got 4")]
    public void Bad_values_are_named(string key, string value, string error)
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(Base((P + key, value))));
        Assert.Contains(errors, e => e.StartsWith(P + error, StringComparison.Ordinal));
    }

    [Fact]
    public void Strict_wants_a_link_local_first_vip_like_keepalived()
    {
        var errors = VrrpServiceCollectionExtensions.ValidateVrrp(Section(Base(("Vrrp:Global:Strict", "true"))));
        Assert.Equal([P + "VirtualAddresses:0: with Strict (vrrp_strict) the first IPv6 VIP must be link-local (RFC 5798 §5.2.9; keepalived refuses it too)"], errors);
        Assert.Empty(VrrpServiceCollectionExtensions.ValidateVrrp(Section(
            (P + "Interface", "eth0"), (P + "VirtualRouterId", "61"), (P + "VirtualAddresses:0", "fe80::100/64"),
            (P + "VirtualAddresses:1", "fd00::100/64"), ("Vrrp:Global:Strict", "true"))));
    }

    [Theory]
    [InlineData("fd00::1/64", null, false)]
    [InlineData("fd00::1", 0u, true)]                               // keepalived: a /128 is added deprecated
    [InlineData("fd00::1 preferred_lft forever", null, false)]
    [InlineData("fd00::1/64 preferred_lft 0", 0u, true)]
    [InlineData("fd00::1/64 preferred_lft 300", 300u, false)]
    [InlineData("10.0.0.1/32", null, false)]
    public void Preferred_lifetime_follows_keepalived(string line, uint? preferred, bool deprecated)
    {
        Assert.True(IpSpecParser.TryParseAddress(line, out var spec, out var error), error);
        Assert.Equal(preferred, spec!.EffectivePreferredLifetime);
        Assert.Equal(deprecated, spec.Deprecated);
    }

    [Theory]
    [InlineData("10.0.0.1 preferred_lft 0", "preferred_lft applies to IPv6 addresses only")]
    [InlineData("fd00::1 preferred_lft soon", "preferred_lft 'soon' is not a number of seconds or 'forever'")]
    [InlineData("fd00::1 label eth0:1", "label applies to IPv4 addresses only")]
    public void Address_options_of_the_wrong_family_are_named(string line, string expected)
    {
        Assert.False(IpSpecParser.TryParseAddress(line, out _, out var error));
        Assert.Equal(expected, error);
    }
}
