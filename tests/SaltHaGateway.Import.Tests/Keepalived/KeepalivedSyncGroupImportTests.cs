using System.Text.Json;
using SaltHaGateway.Import.Keepalived;

namespace SaltHaGateway.Import.Tests.Keepalived;

/// <summary>import-keepalived for sync groups, track_file, vrrp_track_process and the VRRP globals.</summary>
public sealed class KeepalivedSyncGroupImportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("vrrp-import-groups-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private (int Exit, string Err, JsonElement Vrrp) Import(string text)
    {
        var input = Path.Combine(_dir, "keepalived.conf");
        var output = Path.Combine(_dir, "out.json");
        File.WriteAllText(input, text);
        var stderr = new StringWriter();
        int exit = KeepalivedImportCommand.Run(input, output, new StringWriter(), stderr);
        var vrrp = File.Exists(output) ? JsonDocument.Parse(File.ReadAllText(output)).RootElement.GetProperty("Vrrp").Clone() : default;
        return (exit, stderr.ToString(), vrrp);
    }

    private const string Config = """
        global_defs {
            vrrp_version 3
            vrrp_garp_interval 0.001
            vrrp_garp_master_refresh 60
            vrrp_garp_master_refresh_repeat 2
            vrrp_lower_prio_no_advert
            enable_script_security
            script_user keepalived_script
            notify_fifo /run/keepalived.fifo
            notify_fifo_script "/usr/local/bin/fifo-reader"
        }
        track_file prio_adj {
            file "/run/keepalived/prio"
            weight -5 reverse
            init_file 0 overwrite
        }
        vrrp_track_process salt {
            process salt-master
            quorum 1
            quorum_max 10
            delay 2
            weight 0
        }
        vrrp_track_process api {
            process /usr/bin/python3 /usr/bin/salt-api
            param_match partial
            full_command
        }
        vrrp_sync_group G1 {
            group { VI_PUB VI_PRIV }
            track_process {
                salt
            }
            track_file {
                prio_adj weight 10
            }
            notify_master "/etc/keepalived/master.sh"
            notify "/etc/keepalived/group.sh"
        }
        vrrp_instance VI_PUB {
            interface eth0
            virtual_router_id 51
            priority 150
            advert_int 0.5
            virtual_ipaddress {
                192.0.2.10/24
            }
            track_interface {
                eth0 weight -20
            }
            track_script {
                chk_api
            }
        }
        vrrp_instance VI_PRIV {
            interface eth1
            virtual_router_id 52
            priority 150
            advert_int 0.5
            lower_prio_no_advert false
            virtual_ipaddress {
                10.0.0.10/24
            }
            track_process {
                api weight 0
            }
        }
        vrrp_script chk_api {
            script "/usr/bin/curl -sf http://127.0.0.1:8000/"
            weight -30
        }
        """;

    [Fact]
    public void Translates_groups_track_files_processes_and_globals()
    {
        var (exit, err, vrrp) = Import(Config);
        var g = vrrp.GetProperty("SyncGroups").GetProperty("G1");
        Assert.Equal(["VI_PUB", "VI_PRIV"], g.GetProperty("Instances").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("/etc/keepalived/master.sh", g.GetProperty("Notify").GetProperty("Master").GetString());
        Assert.Equal("/etc/keepalived/group.sh", g.GetProperty("Notify").GetProperty("Any").GetString());
        Assert.Equal("salt", g.GetProperty("Track")[0].GetProperty("Process").GetString());
        Assert.Equal(10, g.GetProperty("Track")[1].GetProperty("Weight").GetInt32());

        var file = vrrp.GetProperty("TrackFiles").GetProperty("prio_adj");
        Assert.Equal("/run/keepalived/prio", file.GetProperty("Path").GetString());
        Assert.Equal(-5, file.GetProperty("Weight").GetInt32());
        Assert.True(file.GetProperty("Reverse").GetBoolean());
        Assert.Equal(0, file.GetProperty("InitValue").GetInt64());
        Assert.True(file.GetProperty("InitOverwrite").GetBoolean());

        var salt = vrrp.GetProperty("TrackProcesses").GetProperty("salt");
        Assert.Equal("salt-master", salt.GetProperty("Process").GetString());
        Assert.Equal(10, salt.GetProperty("QuorumMax").GetInt32());
        Assert.Equal(2, salt.GetProperty("ForkDelaySeconds").GetDouble());
        Assert.Equal(2, salt.GetProperty("TerminateDelaySeconds").GetDouble());
        var api = vrrp.GetProperty("TrackProcesses").GetProperty("api");
        Assert.Equal(["/usr/bin/salt-api"], api.GetProperty("Parameters").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal("partial", api.GetProperty("ParamMatch").GetString());

        var global = vrrp.GetProperty("Global");
        Assert.True(global.GetProperty("EnableScriptSecurity").GetBoolean());
        Assert.Equal("keepalived_script", global.GetProperty("ScriptUser").GetString());
        Assert.Equal("/run/keepalived.fifo", global.GetProperty("NotifyFifo").GetString());
        Assert.Equal("/usr/local/bin/fifo-reader", global.GetProperty("NotifyFifoScript").GetString());

        var pub = vrrp.GetProperty("Instances").GetProperty("VI_PUB");
        Assert.Equal(0.001, pub.GetProperty("Garp").GetProperty("IntervalSeconds").GetDouble());
        Assert.Equal(2, pub.GetProperty("Garp").GetProperty("MasterRefreshRepeat").GetInt32());
        Assert.True(pub.GetProperty("LowerPriorityNoAdvert").GetBoolean());
        Assert.False(vrrp.GetProperty("Instances").GetProperty("VI_PRIV").GetProperty("LowerPriorityNoAdvert").GetBoolean());

        // keepalived ignores weights on sync group members: the weighted interface becomes weight 0, the weighted
        // script is dropped; both are said.
        var track = pub.GetProperty("Track");
        Assert.Equal(1, track.GetArrayLength());
        Assert.Equal(0, track[0].GetProperty("Weight").GetInt32());
        Assert.Contains("track_interface eth0 weight -20 is ignored in sync group G1", err);
        Assert.Contains("track_script chk_api has a weight and is ignored in sync group G1", err);
        Assert.DoesNotContain("result needs attention", err);
        Assert.Equal(2, exit);
    }

    [Fact]
    public void Strict_and_the_shipped_sync_group_samples_import_without_vrrp_leftovers()
    {
        var (exit, err, vrrp) = Import("""
            global_defs {
                vrrp_strict
            }
            vrrp_sync_group G1 {
                group {
                    VI_1
                    VI_2
                }
                notify_fault "/usr/local/bin/vrrp.fault arg1 arg2"
            }
            vrrp_instance VI_1 {
                interface eth0
                virtual_router_id 51
                virtual_ipaddress {
                    192.168.200.18/25
                }
            }
            vrrp_instance VI_2 {
                interface eth1
                virtual_router_id 52
                virtual_ipaddress {
                    192.168.201.18/26
                }
            }
            """);
        Assert.True(exit == 0, err);
        Assert.True(vrrp.GetProperty("Global").GetProperty("Strict").GetBoolean());
        Assert.Equal("/usr/local/bin/vrrp.fault arg1 arg2", vrrp.GetProperty("SyncGroups").GetProperty("G1").GetProperty("Notify").GetProperty("Fault").GetString());
    }

    [Theory]
    [InlineData("keepalived.conf.vrrp.sync")]
    [InlineData("keepalived.conf.vrrp.scripts")]
    [InlineData("keepalived.conf.vrrp.localcheck")]
    [InlineData("keepalived.conf.vrrp")]
    public void Debian_samples_leave_only_what_is_out_of_scope(string sample)
    {
        var path = Path.Combine("/usr/share/doc/keepalived/samples", sample);
        Assert.True(File.Exists(path), "keepalived's samples are installed with the keepalived package (tests/run.sh installs it)");
        var (exit, err, vrrp) = Import(File.ReadAllText(path));
        Assert.NotEqual(1, exit);
        Assert.DoesNotContain("result needs attention", err);
        // Leftovers are SMTP and router_id (out of scope), and keepalived.conf.vrrp's second listing of 192.168.200.18.
        var leftovers = err.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !l.Contains("SMTP alerts are out of scope") && !l.Contains("router_id")
                && !(sample == "keepalived.conf.vrrp" && l.Contains("192.168.200.18 label eth0:1") && l.Contains("already listed")));
        Assert.Empty(leftovers);
        if (sample.Contains("sync") || sample.Contains("scripts"))
        {
            Assert.True(vrrp.GetProperty("SyncGroups").EnumerateObject().Any());
        }
    }
}
