using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Import.Keepalived;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Tests.Keepalived;

/// <summary>Address options, excluded addresses, virtual/static routes and rules, mcast_src_ip.</summary>
public sealed class KeepalivedIpObjectsImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-import-ip-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Sample = """
        static_ipaddress {
            192.168.50.1/24 dev eth1 scope global
        }
        static_routes {
            192.168.60.0/24 via 192.168.50.254 dev eth1
        }
        static_rules {
            from 192.168.50.0/24 table 100
        }
        vrrp_instance VI_1 {
            interface eth0
            virtual_router_id 51
            priority 150
            mcast_src_ip 10.0.0.1
            virtual_ipaddress {
                10.0.0.100/24 dev eth0
                10.1.0.100/24 dev eth1 label eth1:vip scope global brd 10.1.0.255
                10.2.0.100/32 dev eth2 no_track
            }
            virtual_ipaddress_excluded {
                10.0.0.200/24
                2001:db8::100/64 dev eth0
            }
            virtual_routes {
                src 10.0.0.100 to 192.168.109.0/24 via 10.0.0.254 dev eth0
                blackhole 192.168.114.0/24
                0.0.0.0/0 gw 10.0.0.1 table 100
                192.168.113.0/24 via 10.0.0.254 or 10.0.0.253 dev eth0
            }
            virtual_rules {
                from 10.0.0.100 table 100
                to 192.168.2.0/24 table 1 no_track
            }
        }
        """;

    private (int Exit, string Err, JsonElement Vrrp) Import(string text)
    {
        var input = Path.Combine(_dir, "keepalived.conf");
        var output = Path.Combine(_dir, "out.json");
        File.WriteAllText(input, text);
        var stderr = new StringWriter();
        int exit = KeepalivedImportCommand.Run(input, output, new StringWriter(), stderr);
        var vrrp = File.Exists(output) ? JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("Vrrp") : default;
        return (exit, stderr.ToString(), vrrp);
    }

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Fact]
    public void Keeps_address_route_and_rule_lines_with_their_options()
    {
        var (_, err, vrrp) = Import(Sample);
        var vi = vrrp.GetProperty("Instances").GetProperty("VI_1");
        Assert.Equal(["10.0.0.100/24 dev eth0", "10.1.0.100/24 dev eth1 label eth1:vip scope global brd 10.1.0.255", "10.2.0.100/32 dev eth2 no_track"],
            Strings(vi, "VirtualAddresses"));
        Assert.Equal(["10.0.0.200/24", "2001:db8::100/64 dev eth0"], Strings(vi, "ExcludedAddresses"));
        Assert.Equal(["src 10.0.0.100 to 192.168.109.0/24 via 10.0.0.254 dev eth0", "blackhole 192.168.114.0/24", "0.0.0.0/0 gw 10.0.0.1 table 100",
            "192.168.113.0/24 via 10.0.0.254 or 10.0.0.253 dev eth0"], Strings(vi, "VirtualRoutes"));
        Assert.Equal(["from 10.0.0.100 table 100", "to 192.168.2.0/24 table 1 no_track"], Strings(vi, "VirtualRules"));
        Assert.Equal("10.0.0.1", vi.GetProperty("MulticastSource").GetString());
        Assert.Equal(["192.168.50.1/24 dev eth1 scope global"], Strings(vrrp, "StaticAddresses"));
        Assert.Equal(["192.168.60.0/24 via 192.168.50.254 dev eth1"], Strings(vrrp, "StaticRoutes"));
        Assert.Equal(["from 192.168.50.0/24 table 100"], Strings(vrrp, "StaticRules"));
        // The two-gateway form is a multipath route, as keepalived installs it; nothing with a line is left.
        Assert.DoesNotContain(err.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.Contains("line", StringComparison.Ordinal));
    }

    [Fact]
    public void Output_validates_and_tracks_the_interfaces_of_addresses_unless_no_track()
    {
        Import(Sample);
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(_dir, "out.json")).Build();
        Assert.Empty(VrrpServiceCollectionExtensions.ValidateVrrp(config.GetSection("Vrrp")));
        var errors = new List<string>();
        var defs = VrrpOptionsValidator.Validate(config.GetSection("Vrrp").Get<VrrpOptions>()!, errors);
        Assert.Empty(errors);
        var def = Assert.Single(defs);
        // eth0 (the instance's own), eth1 (a VIP's dev); not eth2, whose VIP says no_track.
        Assert.Equal(["interface:eth0", "interface:eth1"], def.Track.Select(t => t.ConditionName));
        Assert.Equal(3, def.Settings.VirtualAddresses.Count);   // advertised: the VIPs only, not the excluded ones
        Assert.Equal(2, def.Objects.Excluded.Count);
        Assert.Equal("10.0.0.1", def.UnicastSource!.ToString());
    }

    [Fact]
    public void More_than_twenty_vips_are_split_like_keepalived_does()
    {
        var vips = string.Join("\n", Enumerable.Range(1, 25).Select(i => $"    10.0.0.{i}"));
        var (_, err, vrrp) = Import($"vrrp_instance A {{\n  interface eth0\n  virtual_router_id 9\n  virtual_ipaddress {{\n{vips}\n  }}\n}}\n");
        var a = vrrp.GetProperty("Instances").GetProperty("A");
        Assert.Equal(20, Strings(a, "VirtualAddresses").Length);
        Assert.Equal(["10.0.0.21", "10.0.0.22", "10.0.0.23", "10.0.0.24", "10.0.0.25"], Strings(a, "ExcludedAddresses"));
        Assert.Contains("moved to ExcludedAddresses", err);
    }

    [Fact]
    public void Use_vmac_and_vmac_xmit_base_are_translated()
    {
        var (_, err, vrrp) = Import("vrrp_instance A {\n  interface eth0\n  virtual_router_id 9\n  use_vmac vrrp9\n  vmac_xmit_base\n" +
            "  virtual_ipaddress {\n    10.0.0.1\n  }\n}\nvrrp_instance B {\n  interface eth0\n  virtual_router_id 10\n  use_vmac vb 00:00:5e:00:01:99\n" +
            "  virtual_ipaddress {\n    10.0.0.2\n  }\n}\n");
        var a = vrrp.GetProperty("Instances").GetProperty("A");
        Assert.True(a.GetProperty("UseVmac").GetBoolean());
        Assert.Equal("vrrp9", a.GetProperty("VmacInterface").GetString());
        Assert.True(a.GetProperty("VmacTransmitOnBase").GetBoolean());
        Assert.Contains("use_vmac (line 13): a MAC address other than the virtual router MAC (00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6) ('00:00:5e:00:01:99') is not supported", err);
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(_dir, "out.json")).Build();
        var defs = VrrpOptionsValidator.Validate(config.GetSection("Vrrp").Get<VrrpOptions>()!, []);
        Assert.Equal([0, 0, 0x5e, 0, 1, 9], defs.Single(d => d.Settings.Name == "A").Vmac!.Mac);
    }

    [Fact]
    public void Unsupported_address_options_are_reported_by_line()
    {
        var (_, err, vrrp) = Import("vrrp_instance A {\n  interface eth0\n  virtual_router_id 9\n  virtual_ipaddress {\n    10.0.0.1\n    10.0.0.2 peer 10.0.0.3\n    fe80::1\n  }\n}\n");
        Assert.Contains("'10.0.0.2 peer 10.0.0.3' (line 6): option 'peer' is not supported", err);
        Assert.Contains("'fe80::1' (line 7): its family differs from the instance's first VIP", err);
        Assert.Equal(["10.0.0.1"], Strings(vrrp.GetProperty("Instances").GetProperty("A"), "VirtualAddresses"));
    }
}
