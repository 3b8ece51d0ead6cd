using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class MeshAndOperabilityTests
{
    [Fact]
    public async Task Three_nodes_in_a_full_mesh_converge_and_run_the_debounced_hook_once_per_burst()
    {
        await using var c = new Cluster(3);
        var marker = Path.Combine(c.BaseDir, "hook-runs");
        c.Nodes[2].Extra["ConfigSync:Hooks:MasterConfig:Command"] = $"echo run >> '{marker}'";
        c.Nodes[2].Extra["ConfigSync:Hooks:MasterConfig:DebounceSeconds"] = "1";
        await c.StartAsync();
        var (a, b, n3) = (c.Nodes[0], c.Nodes[1], c.Nodes[2]);

        File.WriteAllText(a.P("/srv/salt/from-a.sls"), "a\n");
        File.WriteAllText(n3.P("/srv/salt/from-c.sls"), "c\n");
        await Wait.UntilAsync(() => c.Nodes.All(n => File.Exists(n.P("/srv/salt/from-a.sls")) && File.Exists(n.P("/srv/salt/from-c.sls"))), "all three have both files");

        for (int i = 0; i < 5; i++) File.WriteAllText(b.P($"/etc/salt/master.d/{i}.conf"), $"# {i}\n");
        await Wait.UntilAsync(() => Enumerable.Range(0, 5).All(i => File.Exists(n3.P($"/etc/salt/master.d/{i}.conf"))), "master.d on c");
        await Wait.UntilAsync(() => File.Exists(marker), "hook ran on c");
        await Task.Delay(1500);
        Assert.Single(File.ReadAllLines(marker));

        await Wait.UntilAsync(() => c.Nodes.All(n => n.Engine.GetStatus().Roots.All(r => r.State == "in-sync")), "every root in sync on every node");
        Assert.All(c.Nodes, n => Assert.Equal(2, n.Engine.GetStatus().Peers.Count(p => p.Connected)));
    }

    [Fact]
    public async Task Status_endpoint_reports_roots_and_peers()
    {
        using var dir = new TempDir();
        var node = new TestNode(dir.Path, "a");
        var peer = new TestNode(dir.Path, "b"); // never started: peer down
        node.Peers.Add(peer);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(node.Configuration());
        builder.Services.AddConfigSync(builder.Configuration.GetSection("ConfigSync"),
            new Hosting.SyncEngineSettings { RootPrefix = node.Tree, PollWait = TimeSpan.FromSeconds(2) });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapConfigSyncStatus();
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient();

        JsonElement status = default;
        await Wait.UntilAsync(() =>
        {
            status = JsonDocument.Parse(http.GetStringAsync(url + "/sync/status").Result).RootElement;
            return status.GetProperty("roots").GetArrayLength() == TestNode.Roots.Length;
        }, "status with roots");
        Assert.True(status.GetProperty("enabled").GetBoolean());
        Assert.Equal(node.Identity.Fingerprint, status.GetProperty("fingerprint").GetString());
        var root = status.GetProperty("roots").EnumerateArray().Single(r => r.GetProperty("root").GetString() == "/srv/salt");
        Assert.Contains(root.GetProperty("state").GetString(), new[] { "in-sync", "pending" });
        var p = status.GetProperty("peers").EnumerateArray().Single();
        Assert.False(p.GetProperty("connected").GetBoolean());
        Assert.Equal(peer.Identity.NodeId, p.GetProperty("nodeId").GetString());
        Assert.True(p.TryGetProperty("sequenceAcked", out _));
        await app.StopAsync();
    }

    [Fact]
    public async Task Status_endpoint_says_disabled_when_sync_is_off()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConfigSync:Enabled"] = "false" });
        builder.Services.AddConfigSync(builder.Configuration.GetSection("ConfigSync"));
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        await using var app = builder.Build();
        app.MapConfigSyncStatus();
        await app.StartAsync();
        var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        using var http = new HttpClient();
        var status = JsonDocument.Parse(await http.GetStringAsync(url + "/sync/status")).RootElement;
        Assert.False(status.GetProperty("enabled").GetBoolean());
        Assert.Null(app.Services.GetService<ISyncHealth>());
        await app.StopAsync();
    }
}
