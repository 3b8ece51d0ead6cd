using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Import.Keepalived;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Tests.Keepalived;

/// <summary>IPv6 instances, vrrp_gna_interval, garp_group and IPv6 unicast peers.</summary>
public sealed class KeepalivedIpv6ImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-import-ipv6-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // A dual-stack pair of salt masters as keepalived runs it: an IPv4 VRRPv2 instance, an IPv6 unicast instance and a
    // link-local-first IPv6 instance on a second interface, with the GARP/NA pacing in global_defs and a garp_group.
    private const string DualStack = """
        global_defs {
           router_id salt1
           vrrp_garp_master_delay 1
           vrrp_garp_master_repeat 3
           vrrp_garp_interval 0.01
           vrrp_gna_interval 0.02
        }

        garp_group {
           gna_interval 0.05
           interface eth1
        }

        vrrp_script chk_salt {
           script "/usr/bin/systemctl is-active --quiet salt-master"
           interval 2
           fall 2
           rise 2
        }

        vrrp_instance SALT_V4 {
           state BACKUP
           interface eth0
           virtual_router_id 51
           priority 150
           advert_int 1
           authentication {
              auth_type PASS
              auth_pass secret12
           }
           virtual_ipaddress {
              192.0.2.10/24
           }
           track_script {
              chk_salt
           }
        }

        vrrp_instance SALT_V6 {
           state BACKUP
           interface eth0
           virtual_router_id 52
           priority 150
           advert_int 0.5
           native_ipv6
           unicast_src_ip 2001:db8:10::1
           unicast_peer {
              2001:db8:10::2
           }
           virtual_ipaddress {
              2001:db8:10::100/64
              2001:db8:10::101
              192.0.2.11/24
           }
           virtual_ipaddress_excluded {
              2001:db8:20::100/64 dev eth1
              192.0.2.12/24
           }
           track_script {
              chk_salt
           }
           notify_master "/etc/keepalived/master.sh"
        }

        vrrp_instance SALT_LINK {
           interface eth1
           virtual_router_id 53
           version 2
           virtual_ipaddress {
              fe80::53/64
              2001:db8:30::100/64 -nodad
           }
        }
        """;

    private (int Exit, string Err, JsonElement Vrrp, string Json) Import(string text)
    {
        var input = Path.Combine(_dir, "keepalived.conf");
        var output = Path.Combine(_dir, "out.json");
        File.WriteAllText(input, text);
        var stderr = new StringWriter();
        int exit = KeepalivedImportCommand.Run(input, output, new StringWriter(), stderr);
        var json = File.Exists(output) ? File.ReadAllText(output) : "";
        var vrrp = json.Length > 0 ? JsonDocument.Parse(json).RootElement.GetProperty("Vrrp") : default;
        return (exit, stderr.ToString(), vrrp, json);
    }

    private static string[] Strings(JsonElement e, string name) => e.GetProperty(name).EnumerateArray().Select(x => x.GetString()!).ToArray();

    [Fact]
    public void Dual_stack_pair_translates_ipv6_instances_peers_and_na_pacing()
    {
        var (exit, err, vrrp, _) = Import(DualStack);
        var instances = vrrp.GetProperty("Instances");

        var v4 = instances.GetProperty("SALT_V4");
        Assert.Equal(2, v4.GetProperty("Version").GetInt32());
        Assert.Equal(0.01, v4.GetProperty("Garp").GetProperty("IntervalSeconds").GetDouble());
        Assert.Equal(0.02, v4.GetProperty("Garp").GetProperty("NaIntervalSeconds").GetDouble());

        var v6 = instances.GetProperty("SALT_V6");
        Assert.Equal(3, v6.GetProperty("Version").GetInt32());
        Assert.Equal(["2001:db8:10::100/64", "2001:db8:10::101"], Strings(v6, "VirtualAddresses"));
        Assert.Equal(["2001:db8:20::100/64 dev eth1", "192.0.2.12/24"], Strings(v6, "ExcludedAddresses"));
        Assert.Equal("2001:db8:10::1", v6.GetProperty("UnicastSource").GetString());
        Assert.Equal(["2001:db8:10::2"], Strings(v6, "UnicastPeers"));
        Assert.Equal(0.5, v6.GetProperty("AdvertIntervalSeconds").GetDouble());
        Assert.Equal(0.02, v6.GetProperty("Garp").GetProperty("NaIntervalSeconds").GetDouble());
        Assert.Equal(3, v6.GetProperty("Garp").GetProperty("MasterRepeat").GetInt32());
        Assert.Contains("vrrp_instance SALT_V6: virtual_ipaddress '192.0.2.11/24' (line 53): its family differs from the instance's first VIP", err);

        var link = instances.GetProperty("SALT_LINK");
        Assert.Equal(3, link.GetProperty("Version").GetInt32());
        Assert.Equal(["fe80::53/64", "2001:db8:30::100/64 -nodad"], Strings(link, "VirtualAddresses"));
        // garp_group applies to the instances on its interfaces, over the global value.
        Assert.Equal(0.05, link.GetProperty("Garp").GetProperty("NaIntervalSeconds").GetDouble());
        Assert.Equal(0.01, link.GetProperty("Garp").GetProperty("IntervalSeconds").GetDouble());
        Assert.Contains("vrrp_instance SALT_LINK: version 2 (line 68): the instance's VIPs are IPv6, which is VRRPv3 only", err);

        // What is left is router_id and what was reported above; the result passes the gateway's own validation.
        Assert.DoesNotContain("result needs attention", err);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains("router_id", StringComparison.Ordinal));
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Translated_ipv6_instance_validates_as_vrrpv3_over_ipv6()
    {
        Import(DualStack);
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(_dir, "out.json")).Build();
        Assert.Empty(VrrpServiceCollectionExtensions.ValidateVrrp(config.GetSection("Vrrp")));
        var errors = new List<string>();
        var defs = VrrpOptionsValidator.Validate(config.GetSection("Vrrp").Get<VrrpOptions>()!, errors).ToDictionary(d => d.Settings.Name);
        Assert.Empty(errors);
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetworkV6, defs["SALT_V6"].Settings.Family);
        Assert.True(defs["SALT_V6"].Settings.IsUnicast);
        Assert.Equal(TimeSpan.FromMilliseconds(50), defs["SALT_LINK"].Settings.Garp.NaInterval);
        // "-nodad" in keepalived leaves DAD on; the other IPv6 VIPs skip it.
        Assert.Equal([true, false], defs["SALT_LINK"].Objects.Addresses.Select(a => a.SkipsDad));
        Assert.Equal(System.Net.Sockets.AddressFamily.InterNetwork, defs["SALT_V4"].Settings.Family);
    }

    [Fact]
    public void Clean_ipv6_config_with_a_vmac_exits_zero()
    {
        var (exit, err, vrrp, _) = Import("""
            global_defs {
               vrrp_gna_interval 0.1
            }
            vrrp_instance VI_6 {
               interface eth0
               virtual_router_id 61
               advert_int 0.1
               use_vmac vrrp6.61
               virtual_ipaddress {
                  fd99::100/64
               }
            }
            """);
        Assert.True(exit == 0, err);
        var vi = vrrp.GetProperty("Instances").GetProperty("VI_6");
        Assert.Equal(3, vi.GetProperty("Version").GetInt32());
        Assert.Equal(0.1, vi.GetProperty("Garp").GetProperty("NaIntervalSeconds").GetDouble());
        Assert.True(vi.GetProperty("UseVmac").GetBoolean());
        Assert.Equal("vrrp6.61", vi.GetProperty("VmacInterface").GetString());
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(_dir, "out.json")).Build();
        var errors = new List<string>();
        var def = Assert.Single(VrrpOptionsValidator.Validate(config.GetSection("Vrrp").Get<VrrpOptions>()!, errors));
        Assert.Empty(errors);
        Assert.Equal(new byte[] { 0x00, 0x00, 0x5e, 0x00, 0x02, 61 }, def.Vmac!.Mac);
    }

    [Fact]
    public void Garp_group_without_an_interface_is_reported()
    {
        var (exit, err, _, _) = Import("garp_group {\n  gna_interval 0.1\n}\nvrrp_instance A {\n  interface eth0\n  virtual_router_id 9\n  virtual_ipaddress {\n    fd00::1\n  }\n}\n");
        Assert.Contains("garp_group (line 1): names no interface", err);
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Label_and_scope_on_an_ipv6_vip_are_dropped_as_keepalived_does_and_preferred_lft_kept()
    {
        var (_, err, vrrp, _) = Import("vrrp_instance A {\n  interface eth0\n  virtual_router_id 9\n  virtual_ipaddress {\n"
            + "    fd00::1/64 dev eth0 label eth0:6 scope global\n    fd00::2 preferred_lft forever\n  }\n}\n");
        Assert.Equal(["fd00::1/64 dev eth0", "fd00::2 preferred_lft forever"], Strings(vrrp.GetProperty("Instances").GetProperty("A"), "VirtualAddresses"));
        Assert.Contains("'fd00::1/64 dev eth0 label eth0:6 scope global' (line 5): label does not apply to an IPv6 address (keepalived ignores it too); dropped, the address kept", err);
        Assert.Contains("(line 5): scope does not apply to an IPv6 address", err);
        Assert.DoesNotContain("result needs attention", err);
    }
}
