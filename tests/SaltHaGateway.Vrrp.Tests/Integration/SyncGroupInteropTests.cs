using System.Text.Json;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// A vrrp_sync_group of two instances, one per interface, on a gateway node and on Debian's keepalived 2.2.7: when one
/// interface of the master loses its link, both instances move to the peer together, and come back together.
/// </summary>
[Collection(NetnsCollection.Name)]
public sealed class SyncGroupInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private const string Vip1 = NetnsLab.Vip;
    private const string Vip2 = "10.98.0.100";

    private static NodeProcess Gateway(NetnsLab lab, string node, int priority)
    {
        var fifoScript = Path.Combine(lab.Dir, "fifo-reader.sh");
        File.WriteAllText(fifoScript, $"#!/bin/sh\nexec cat \"$1\" >> {Path.Combine(lab.Dir, "fifo.log")}\n");
        object Instance(string dev, int vrid, string vip) => new
        {
            Interface = dev, VirtualRouterId = vrid, Priority = priority, Version = 3, AdvertIntervalSeconds = 0.1,
            VirtualAddresses = new[] { vip + "/32" }, Garp = new { MasterRepeat = 1, MasterDelaySeconds = 0 },
        };
        var config = new
        {
            Vrrp = new
            {
                Instances = new Dictionary<string, object>
                {
                    ["VI_1"] = Instance(NetnsLab.Dev(node), 51, Vip1),
                    ["VI_2"] = Instance(NetnsLab.SecondDev(node), 52, Vip2),
                },
                SyncGroups = new Dictionary<string, object>
                {
                    ["G1"] = new { Instances = new[] { "VI_1", "VI_2" }, Notify = new { Any = $"echo \"$@\" >> {Path.Combine(lab.Dir, "group.log")}" } },
                },
                Global = new { NotifyFifo = Path.Combine(lab.Dir, "notify.fifo"), NotifyFifoScript = "/bin/sh " + fifoScript },
            },
        };
        var path = Path.Combine(lab.Dir, $"gw-{node}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return lab.Track(NodeProcess.StartIn(lab.Ns(node), "gateway " + node, "dotnet", Nodes.NodeDllPath, path));
    }

    private static NodeProcess Keepalived(NetnsLab lab, string node, int priority)
    {
        string Instance(string name, string dev, int vrid, string vip) => $$"""
            vrrp_instance {{name}} {
              state BACKUP
              interface {{dev}}
              virtual_router_id {{vrid}}
              priority {{priority}}
              advert_int 0.1
              virtual_ipaddress {
                {{vip}}/32
              }
            }
            """;
        var conf = $$"""
            global_defs {
              router_id {{lab.Id}}{{node}}
              vrrp_version 3
            }
            vrrp_sync_group G1 {
              group {
                VI_1
                VI_2
              }
            }
            {{Instance("VI_1", NetnsLab.Dev(node), 51, Vip1)}}
            {{Instance("VI_2", NetnsLab.SecondDev(node), 52, Vip2)}}
            """;
        var path = Path.Combine(lab.Dir, $"ka-{node}.conf");
        File.WriteAllText(path, conf);
        return lab.Track(NodeProcess.StartIn(lab.Ns(node), "keepalived " + node, "keepalived", "-n", "-l", "-D", "-P", "-f", path,
            "-p", Path.Combine(lab.Dir, $"ka-{node}.pid"), "-r", Path.Combine(lab.Dir, $"kav-{node}.pid")));
    }

    private static async Task BothOnlyOn(NetnsLab lab, string owner, params NodeProcess[] nodes)
    {
        string other = owner == "a" ? "b" : "a";
        await LabAssert.Started(nodes);
        bool ok = await Shell.WaitUntil(() => lab.HasAddress(owner, Vip1) && lab.HasAddress(owner, Vip2)
            && !lab.HasAddress(other, Vip1) && !lab.HasAddress(other, Vip2), Timeout);
        Assert.True(ok, $"both VIPs expected only on {owner} (a: {lab.HasAddress("a", Vip1)}/{lab.HasAddress("a", Vip2)}, "
            + $"b: {lab.HasAddress("b", Vip1)}/{lab.HasAddress("b", Vip2)})\n" + string.Join('\n', nodes.Select(n => n.ToString())));
    }

    /// <summary>
    /// Process start-up (the .NET runtime, keepalived's fork) is not what these tests time: on a loaded machine it can
    /// take longer than a whole failover, so the protocol's timeouts start once both sides are running.
    /// </summary>
    internal static Task Started(params NodeProcess[] nodes) => LabAssert.Started(nodes);

    private static string Read(string path) => File.Exists(path) ? File.ReadAllText(path) : "";

    [Fact]
    public async Task Link_down_on_the_gateway_master_moves_the_whole_group_to_keepalived_and_back()
    {
        await using var lab = new NetnsLab();
        lab.AddSecondLink();
        var ka = Keepalived(lab, "b", 100);
        var gw = Gateway(lab, "a", 150);
        await Started(gw, ka);
        await BothOnlyOn(lab, "a", gw, ka);

        // Only VI_2's link goes down; VI_1 follows it because the group does.
        Shell.Ip("-n", lab.Ns("a"), "link", "set", NetnsLab.SecondDev("a"), "down");
        await BothOnlyOn(lab, "b", gw, ka);
        Assert.True(await Shell.WaitUntil(() => gw.OutputContains("sync group G1: FAULT"), Timeout), gw.ToString());
        Assert.True(ka.OutputContains("VRRP_Group(G1) Syncing instances to MASTER state"), ka.ToString());
        string group = Path.Combine(lab.Dir, "group.log");
        string fifo = Path.Combine(lab.Dir, "fifo.log");
        Assert.True(await Shell.WaitUntil(() => Read(group).Contains("GROUP G1 FAULT 0"), Timeout), Read(group) + gw);
        Assert.True(await Shell.WaitUntil(() => Read(fifo).Contains("GROUP \"G1\" FAULT 0\n") && Read(fifo).Contains("INSTANCE \"VI_1\" FAULT 150\n"), Timeout),
            Read(fifo) + gw);

        Shell.Ip("-n", lab.Ns("a"), "link", "set", NetnsLab.SecondDev("a"), "up");
        await BothOnlyOn(lab, "a", gw, ka);
        Assert.True(await Shell.WaitUntil(() => ka.OutputContains("VRRP_Group(G1) Syncing instances to BACKUP state"), Timeout), ka.ToString());
        Assert.True(await Shell.WaitUntil(() => Read(fifo).Contains("GROUP \"G1\" MASTER 0\n"), Timeout), Read(fifo));
    }

    [Fact]
    public async Task Link_down_on_the_keepalived_master_moves_the_whole_group_to_the_gateway()
    {
        await using var lab = new NetnsLab();
        lab.AddSecondLink();
        var ka = Keepalived(lab, "b", 200);
        var gw = Gateway(lab, "a", 100);
        await Started(gw, ka);
        await BothOnlyOn(lab, "b", gw, ka);

        Shell.Ip("-n", lab.Ns("b"), "link", "set", NetnsLab.SecondDev("b"), "down");
        await BothOnlyOn(lab, "a", gw, ka);
        Assert.True(ka.OutputContains("VRRP_Group(G1) Syncing instances to FAULT state"), ka.ToString());

        Shell.Ip("-n", lab.Ns("b"), "link", "set", NetnsLab.SecondDev("b"), "up");
        await BothOnlyOn(lab, "b", gw, ka);
        Assert.True(await Shell.WaitUntil(() => gw.OutputContains("sync group G1: BACKUP"), Timeout), gw.ToString());
    }
}
