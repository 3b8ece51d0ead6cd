using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Sync.State;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class ConflictResolutionTests
{
    private const string Pem = "/etc/salt/pki/master/master.pem";
    private const int ReadOnlyByOwner = 0b100_000_000; // 0400

    [Fact]
    public async Task A_frozen_master_key_resolved_with_keep_local_ends_with_that_key_on_both_nodes()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        var id = await FreezeAsync(c, "KEY A\n", "KEY B\n");

        var result = await a.Engine.ResolveConflictAsync(id, KeepSide.Local, CancellationToken.None);
        Assert.Equal(ResolveStatus.Resolved, result.Status);

        await Wait.UntilAsync(() => File.ReadAllText(b.P(Pem)) == "KEY A\n", "b took a's key");
        await Wait.UntilAsync(() => NoOpenConflicts(a) && NoOpenConflicts(b), "no open conflicts on either node");
        await Wait.UntilAsync(() => InSync(a) && InSync(b), "both roots in sync");
        foreach (var n in c.Nodes)
        {
            Assert.Equal("KEY A\n", File.ReadAllText(n.P(Pem)));
            var st = Posix.Stat(n.P(Pem));
            Assert.Equal((ReadOnlyByOwner, 4321, 4321), (st.Mode, st.Uid, st.Gid));
        }
        // The resolution travelled as a dominating version: b recorded no new conflict for it.
        Assert.Single(b.Engine.ListConflicts(), x => x.Path == "master.pem");
        Assert.Equal(1, await RobustnessTests.Scrape(a.Registry, "saltha_sync_conflicts_resolved_total{action=\"keep_local\"}"));
        Assert.Equal(1, await RobustnessTests.Scrape(b.Registry, "saltha_sync_conflicts_resolved_total{action=\"superseded\"}"));

        var again = await a.Engine.ResolveConflictAsync(id, KeepSide.Local, CancellationToken.None);
        Assert.Equal(ResolveStatus.Refused, again.Status);
        Assert.Contains("already closed", again.Message);
    }

    [Fact]
    public async Task Keep_remote_through_the_admin_endpoints_writes_the_stored_copy_on_both_nodes()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        var id = await FreezeAsync(c, "KEY A\n", "KEY B\n");
        await using var admin = await AdminAsync(a);
        using var http = new HttpClient { BaseAddress = new Uri(admin.Urls.First()) };

        var list = JsonDocument.Parse(await http.GetStringAsync("/sync/conflicts")).RootElement;
        var listed = list.EnumerateArray().Single(x => x.GetProperty("id").GetInt64() == id);
        Assert.True(listed.GetProperty("open").GetBoolean());
        Assert.Equal("master.pem", listed.GetProperty("path").GetString());
        Assert.Equal("Freeze", listed.GetProperty("action").GetString());
        var stored = listed.GetProperty("storedCopy").GetString()!;
        Assert.Equal("KEY B\n", File.ReadAllText(stored));

        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsync($"/sync/conflicts/{id}/resolve?keep=theirs", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.PostAsync($"/sync/conflicts/{id + 1000}/resolve?keep=local", null)).StatusCode);
        Assert.Equal("KEY A\n", File.ReadAllText(a.P(Pem))); // refusals changed nothing

        var ok = await http.PostAsync($"/sync/conflicts/{id}/resolve?keep=remote", null);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("KEY B\n", File.ReadAllText(a.P(Pem)));

        await Wait.UntilAsync(() => NoOpenConflicts(a) && NoOpenConflicts(b), "no open conflicts on either node");
        await Wait.UntilAsync(() => InSync(a) && InSync(b), "both roots in sync");
        foreach (var n in c.Nodes)
        {
            Assert.Equal("KEY B\n", File.ReadAllText(n.P(Pem)));
            var st = Posix.Stat(n.P(Pem));
            Assert.Equal((ReadOnlyByOwner, 4321, 4321), (st.Mode, st.Uid, st.Gid));
        }
        // Nothing was left half-written in the staging directory.
        Assert.Empty(Directory.EnumerateFiles(a.P("/etc/salt/pki/.saltha-sync-staging")));

        var closed = await http.PostAsync($"/sync/conflicts/{id}/resolve?keep=remote", null);
        Assert.Equal(HttpStatusCode.Conflict, closed.StatusCode);
        Assert.Contains("already closed", await closed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_key_deleted_on_one_node_cannot_be_kept_remote_but_keep_local_brings_it_back()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        // a rewrites the key while b deletes it: a has no file to keep for the remote side.
        var id = await FreezeAsync(c, "KEY A\n", null);
        Assert.Null(a.Engine.ListConflicts().Single(x => x.Id == id).StoredCopy);

        // Through the command-line client, as an operator would.
        await using var admin = await AdminAsync(a);
        var url = admin.Urls.First();
        var (listed, _, listCode) = await RunAsync((o, e) => SyncConflictsCommand.ListAsync(url, o, e, CancellationToken.None));
        Assert.Equal(0, listCode);
        Assert.Contains($"{id}\topen\tFreeze\t/etc/salt/pki/master/master.pem", listed);

        using var client = new HttpClient { BaseAddress = new Uri(url) };
        var (_, refused, refusedCode) = await RunAsync((o, e) => SyncConflictsCommand.ResolveAsync(client, url, id, "remote", o, e, CancellationToken.None));
        Assert.Equal(1, refusedCode);
        Assert.Contains("refused (409)", refused);
        Assert.Contains("no stored copy", refused);
        Assert.True(a.Engine.ListConflicts().Single(x => x.Id == id).Open);

        var (resolved, _, resolvedCode) = await RunAsync((o, e) => SyncConflictsCommand.ResolveAsync(client, url, id, "local", o, e, CancellationToken.None));
        Assert.Equal(0, resolvedCode);
        Assert.Contains("kept the local version", resolved);
        await Wait.UntilAsync(() => File.Exists(b.P(Pem)) && File.ReadAllText(b.P(Pem)) == "KEY A\n", "b got the key back");
        await Wait.UntilAsync(() => NoOpenConflicts(a) && NoOpenConflicts(b), "no open conflicts on either node");
        Assert.Equal(ReadOnlyByOwner, Posix.Stat(b.P(Pem)).Mode);
    }

    /// <summary>
    /// Both nodes share a 0400 master.pem owned by 4321, then change it while the link is down
    /// (null: delete it). Returns a's open conflict id once both nodes froze the key.
    /// </summary>
    private static async Task<long> FreezeAsync(Cluster c, string onA, string? onB)
    {
        var (a, b) = (c.A, c.B);
        File.WriteAllText(a.P(Pem), "KEY 0\n");
        File.SetUnixFileMode(a.P(Pem), UnixFileMode.UserRead);
        Posix.Chown(a.P(Pem), 4321, 4321);
        await c.StartAsync();
        await Wait.UntilAsync(() => File.Exists(b.P(Pem)) && File.ReadAllText(b.P(Pem)) == "KEY 0\n", "initial key replicated");
        await Wait.UntilAsync(() => InSync(a) && InSync(b), "both in sync");
        Assert.Equal(ReadOnlyByOwner, Posix.Stat(b.P(Pem)).Mode);

        await b.StopAsync();
        File.WriteAllText(a.P(Pem), onA);
        if (onB is null) File.Delete(b.P(Pem));
        else File.WriteAllText(b.P(Pem), onB);
        await b.StartAsync();

        await Wait.UntilAsync(() => Frozen(a) is not null && Frozen(b) is not null, "both nodes froze master.pem");
        Assert.Equal(onA, File.ReadAllText(a.P(Pem)));
        Assert.Equal(onB, File.Exists(b.P(Pem)) ? File.ReadAllText(b.P(Pem)) : null);
        Assert.Equal("conflict", a.Engine.GetStatus().Roots.Single(r => r.Root == "/etc/salt/pki/master").State);
        return Frozen(a)!.Id;
    }

    private static ConflictRecord? Frozen(TestNode n) =>
        n.Engine.ListConflicts().FirstOrDefault(x => x.Path == "master.pem" && x.Action == "Freeze" && x.Open);

    private static bool NoOpenConflicts(TestNode n) => !n.Engine.ListConflicts().Any(x => x.Open);

    private static bool InSync(TestNode n) => n.Engine.GetStatus().Roots.All(r => r.State == "in-sync");

    private static async Task<(string Out, string Err, int Code)> RunAsync(Func<TextWriter, TextWriter, Task<int>> command)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await command(stdout, stderr);
        return (stdout.ToString(), stderr.ToString(), code);
    }

    /// <summary>The admin mapping on a loopback listener of its own, serving the node's engine.</summary>
    private static async Task<WebApplication> AdminAsync(TestNode node)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(node.Engine);
        var app = builder.Build();
        app.MapConfigSyncConflicts();
        app.MapConfigSyncResolve();
        await app.StartAsync();
        return app;
    }
}
