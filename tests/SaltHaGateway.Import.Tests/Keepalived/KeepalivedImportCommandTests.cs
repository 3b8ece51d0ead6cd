using System.Text.Json;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Import.Keepalived;
using SaltHaGateway.Vrrp;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Tests.Keepalived;

public sealed class KeepalivedImportCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-import-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Sample = """
        ! Configuration File for keepalived
        global_defs {
           router_id salt1
        }
        vrrp_script chk_nginx {
            script "/usr/bin/pgrep nginx"   # comment
            interval 2
            weight -50
            rise 2
            fall 3
        }
        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 150
            advert_int 1
            nopreempt
            authentication { auth_type PASS
                auth_pass secret123 }
            unicast_src_ip 10.0.0.1
            unicast_peer {
                10.0.0.2
            }
            virtual_ipaddress {
                10.0.0.100/24 dev eth0
                10.0.0.101 label eth0:1
            }
            track_script {
                chk_nginx
            }
            track_interface {
                eth1 weight -20
            }
            notify_master "/etc/keepalived/master.sh"
            notify "/etc/keepalived/notify.sh"
            smtp_alert
        }
        virtual_server 10.0.0.100 80 {
            delay_loop 6
        }
        """;

    private (int Exit, string Out, string Err, JsonElement Vrrp) Import(string text)
    {
        var input = Path.Combine(_dir, "keepalived.conf");
        var output = Path.Combine(_dir, "out.json");
        File.WriteAllText(input, text);
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int exit = KeepalivedImportCommand.Run(input, output, stdout, stderr);
        var vrrp = File.Exists(output) ? JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("Vrrp") : default;
        return (exit, stdout.ToString(), stderr.ToString(), vrrp);
    }

    [Fact]
    public void Translates_instances_scripts_tracking_auth_unicast_and_notify()
    {
        var (exit, _, _, vrrp) = Import(Sample);
        Assert.Equal(2, exit);
        var vi = vrrp.GetProperty("Instances").GetProperty("VI_1");
        Assert.Equal("eth0", vi.GetProperty("Interface").GetString());
        Assert.Equal(51, vi.GetProperty("VirtualRouterId").GetInt32());
        Assert.Equal(150, vi.GetProperty("Priority").GetInt32());
        Assert.False(vi.GetProperty("Preempt").GetBoolean());
        Assert.Equal("secret12", vi.GetProperty("Authentication").GetProperty("Password").GetString());
        Assert.Equal("10.0.0.1", vi.GetProperty("UnicastSource").GetString());
        Assert.Equal("10.0.0.2", vi.GetProperty("UnicastPeers")[0].GetString());
        Assert.Equal(["10.0.0.100/24 dev eth0", "10.0.0.101 label eth0:1"], vi.GetProperty("VirtualAddresses").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("chk_nginx", vi.GetProperty("Track")[0].GetProperty("Script").GetString());
        Assert.Equal("eth1", vi.GetProperty("Track")[1].GetProperty("Interface").GetString());
        Assert.Equal(-20, vi.GetProperty("Track")[1].GetProperty("Weight").GetInt32());
        Assert.Equal("/etc/keepalived/master.sh", vi.GetProperty("Notify").GetProperty("Master").GetString());
        var script = vrrp.GetProperty("Scripts").GetProperty("chk_nginx");
        Assert.Equal("/usr/bin/pgrep nginx", script.GetProperty("Command").GetString());
        Assert.Equal(-50, script.GetProperty("Weight").GetInt32());
        Assert.Equal(3, script.GetProperty("Fall").GetInt32());
    }

    [Fact]
    public void Reports_what_it_cannot_translate_by_name_and_line()
    {
        var (_, _, err, _) = Import(Sample);
        Assert.Contains("router_id (line 3)", err);
        Assert.Contains("vrrp_instance VI_1: smtp_alert (line 37)", err);
        Assert.Contains("virtual_server 10.0.0.100 (line 39)", err);
        Assert.Contains("auth_pass (line 20) truncated", err);
    }

    [Fact]
    public void Output_is_a_valid_vrrp_section()
    {
        var (_, _, _, _) = Import(Sample);
        var config = new ConfigurationBuilder().AddJsonFile(Path.Combine(_dir, "out.json")).Build();
        Assert.Empty(VrrpServiceCollectionExtensions.ValidateVrrp(config.GetSection("Vrrp")));
        var options = config.GetSection("Vrrp").Get<VrrpOptions>()!;
        var errors = new List<string>();
        var defs = VrrpOptionsValidator.Validate(options, errors);
        Assert.Single(defs);
        Assert.Equal(3, defs[0].Track.Count);   // eth0 (implicit), chk_nginx, eth1
    }

    [Fact]
    public void State_master_without_priority_means_owner_and_clean_file_exits_zero()
    {
        var (exit, _, err, vrrp) = Import("""
            vrrp_instance A {
              state MASTER
              interface eth0
              virtual_router_id 9
              virtual_ipaddress {
                192.0.2.10
              }
            }
            """);
        Assert.Equal(0, exit);
        Assert.Equal("", err);
        Assert.Equal(255, vrrp.GetProperty("Instances").GetProperty("A").GetProperty("Priority").GetInt32());
    }

    [Theory]
    [InlineData("advert_int NaN", "advert_int (line 4): 'NaN' is not a number")]
    [InlineData("advert_int Infinity", "advert_int (line 4): 'Infinity' is not a number")]
    [InlineData("preempt_delay 1e999", "preempt_delay (line 4): '1e999' is not a number")]
    [InlineData("garp_master_delay 1e300", "Garp:MasterDelaySeconds: must be 0..86400")]
    [InlineData("garp_master_refresh 1e300", "Garp:MasterRefreshSeconds: must be 0..86400")]
    public void Numbers_out_of_any_range_are_reported_not_thrown(string statement, string reported)
    {
        var (exit, _, err, _) = Import($"vrrp_instance A {{\n  interface eth0\n  virtual_router_id 9\n  {statement}\n" +
            "  virtual_ipaddress {\n    192.0.2.10\n  }\n}\n");
        Assert.Equal(2, exit);
        Assert.Contains(reported, err);
    }

    [Fact]
    public void Syntax_errors_fail_with_line_numbers()
    {
        var (exit, _, err, _) = Import("vrrp_instance A {\n  interface eth0\n}\n}\n");
        Assert.Equal(1, exit);
        Assert.Contains("line 4", err);
        Assert.Equal(1, KeepalivedImportCommand.Run(Path.Combine(_dir, "missing.conf"), null, TextWriter.Null, new StringWriter()));
    }
}
