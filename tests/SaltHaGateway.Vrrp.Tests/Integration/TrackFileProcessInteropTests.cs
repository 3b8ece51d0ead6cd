using System.Diagnostics;
using System.Text.Json;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>track_file and track_process move the VIP between a gateway and Debian's keepalived 2.2.7.</summary>
[Collection(NetnsCollection.Name)]
public sealed class TrackFileProcessInteropTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task A_track_file_value_and_a_missing_process_hand_the_vip_to_keepalived()
    {
        await using var lab = new NetnsLab();
        string prio = Path.Combine(lab.Dir, "prio");
        string marker = "4" + Random.Shared.Next(100000, 999999);
        var sleeper = Process.Start("sleep", [marker, "600"])!;
        try
        {
            var config = new
            {
                Vrrp = new
                {
                    Instances = new Dictionary<string, object>
                    {
                        ["VI_1"] = new
                        {
                            Interface = NetnsLab.Dev("a"), VirtualRouterId = 51, Priority = 150, Version = 3, AdvertIntervalSeconds = 0.1,
                            VirtualAddresses = new[] { NetnsLab.Vip + "/32" }, Garp = new { MasterRepeat = 1, MasterDelaySeconds = 0 },
                            Track = new object[] { new { File = "prio" }, new { Process = "worker" } },
                        },
                    },
                    // value × −100: 1 in the file takes 150 below keepalived's 100
                    TrackFiles = new Dictionary<string, object> { ["prio"] = new { Path = prio, Weight = -100, InitValue = 0 } },
                    TrackProcesses = new Dictionary<string, object>
                    {
                        ["worker"] = new { Process = "sleep", Parameters = new[] { marker, "600" }, Weight = 0, IntervalSeconds = 0.2 },
                    },
                },
            };
            var path = Path.Combine(lab.Dir, "gw-a.json");
            File.WriteAllText(path, JsonSerializer.Serialize(config));
            var ka = Nodes.Keepalived(lab, "b", new Nodes.Spec(3, 100, 0.1));
            var gw = lab.Track(NodeProcess.StartIn(lab.Ns("a"), "gateway a", "dotnet", Nodes.NodeDllPath, path));
            await SyncGroupInteropTests.Started(gw, ka);
            await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
            Assert.Equal("0\n", File.ReadAllText(prio));   // init_file

            File.WriteAllText(prio, "1\n");
            await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
            Assert.True(gw.OutputContains("priority 50"), gw.ToString());
            File.WriteAllText(prio, "0\n");
            await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);

            sleeper.Kill();
            sleeper.WaitForExit();
            await LabAssert.VipOnlyOn(lab, "b", Timeout, gw, ka);
            Assert.True(await Shell.WaitUntil(() => gw.OutputContains("MASTER -> FAULT"), Timeout), gw.ToString());

            using var again = Process.Start("sleep", [marker, "600"])!;
            try
            {
                await LabAssert.VipOnlyOn(lab, "a", Timeout, gw, ka);
            }
            finally
            {
                again.Kill();
                again.WaitForExit();
            }
        }
        finally
        {
            if (!sleeper.HasExited)
            {
                sleeper.Kill();
                sleeper.WaitForExit();
            }
            sleeper.Dispose();
        }
    }
}
