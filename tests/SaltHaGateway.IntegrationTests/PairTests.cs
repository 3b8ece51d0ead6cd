using System.Text.Json;
using SaltHaGateway.IntegrationTests.Infrastructure;
using Xunit.Abstractions;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// The whole HA pair (<see cref="PairLab"/>): two real gateways, each with its act2, config sync and VRRP, and a client
/// sending a steady stream of fresh connections to the VIP. Every wait has a generous deadline: these tests assert what
/// happens (who holds the VIP, which requests failed, what the trees contain), never how fast; timings belong in
/// bench/. Each test is bounded as a whole and everything is torn down at dispose, also on failure.
/// </summary>
[Collection(NamespaceCollection.Name)]
public sealed class PairTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(30);
    private static readonly string ViaA = PairLab.Address("a");
    private static readonly string ViaB = PairLab.Address("b");

    [Fact]
    public Task Planned_handover_loses_no_client_request() => RunAsync(async lab =>
    {
        await StartsOnA(lab);
        var load = lab.StartClientLoad(TimeSpan.FromSeconds(90));
        var from = DateTimeOffset.UtcNow;
        await lab.WaitAsync(() => load.Report(from, DateTimeOffset.UtcNow).Requests.Count >= 40, Long, () => "40 requests of steady load");

        var a = lab.Gateway("a");
        var term = DateTimeOffset.UtcNow;
        lab.Log("SIGTERM gateway a");
        a.Signal("TERM");
        bool exited = await a.WaitForExitAsync(Long);
        lab.Log(exited ? $"gateway a exited with {a.ExitCode}" : "gateway a still running 30 s after SIGTERM");
        await lab.WaitForVipAsync(false, true, "VIP on b only after a's graceful stop");
        var moved = DateTimeOffset.UtcNow;
        lab.Log("VIP on b only");
        // Keep the load on a little longer: a failure right after the move counts too.
        await lab.WaitAsync(() => load.Report(moved, DateTimeOffset.UtcNow).Requests.Count >= 40, Long, () => "40 requests after the move");
        await load.StopAsync();

        var all = load.Report(from, DateTimeOffset.UtcNow);
        var handover = load.Report(term, DateTimeOffset.UtcNow);
        lab.Log("whole run: " + all);
        lab.Log("from SIGTERM on: " + handover);

        Assert.True(exited, $"gateway a did not exit within 30 s of SIGTERM\n{lab.Diagnostics()}");
        Assert.True(a.ExitCode == 0, $"gateway a exited with {a.ExitCode}\n{lab.Diagnostics()}");
        Assert.True(all.EndsWithSuccesses(moved, 20, ViaB), $"the client is not served by b after the handover: {all}");
        Assert.True(all.Failed == 0, $"client requests failed across the handover: {all}\n{lab.Diagnostics()}");
    });

    [Fact]
    public Task Maintenance_moves_the_vip_to_b_without_a_failed_request_and_off_brings_it_back_without_a_stall() => RunAsync(async lab =>
    {
        await StartsOnA(lab);
        var load = lab.StartClientLoad(TimeSpan.FromSeconds(120));
        var from = DateTimeOffset.UtcNow;
        await lab.WaitAsync(() => load.Report(from, DateTimeOffset.UtcNow).Requests.Count >= 40, Long, () => "40 requests of steady load");

        var on = Verb(lab, "a", "maintenance", "on");
        lab.Log("maintenance on: " + on);
        Assert.Contains("maintenance on", on);
        Assert.Contains("act2/10.96.0.1:6868", on);   // a's own act2 is drained, b's is not
        await lab.WaitForVipAsync(false, true, "VIP on b only while a is in maintenance");
        var moved = DateTimeOffset.UtcNow;
        await lab.WaitAsync(() => load.Report(moved, DateTimeOffset.UtcNow).EndsWithSuccesses(moved, 20, ViaB), Long,
            () => $"the client is served by b: {load.Report(moved, DateTimeOffset.UtcNow)}");

        // One screen for the pair, read on a: b holds the VIP, a is backup at priority 1 in maintenance.
        string status = "";
        await lab.WaitAsync(() => (status = Verb(lab, "a", "status")).Contains("(peer)", StringComparison.Ordinal)
            && status.Contains("VIP 10.96.0.100/24 held by", StringComparison.Ordinal), Long, () => "status shows both nodes: " + status);
        lab.Log("status on a:\n" + status);
        Assert.Matches(@"VIP 10\.96\.0\.100/24 held by \S+ \(10\.96\.0\.2\)", status);
        Assert.Matches(@"\(10\.96\.0\.1\) \(this\)\s+VI_1 backup prio 1/150", status);
        Assert.Matches(@"\(10\.96\.0\.2\) \(peer\)\s+VI_1 master prio 100/100", status);
        Assert.Matches(@"act2\s+10\.96\.0\.1:6868\s+drained", status);

        // The planned handover (maintenance on): make-before-break, not one request may fail.
        var offAt = DateTimeOffset.UtcNow;
        var handover = load.Report(from, offAt);
        Assert.True(handover.Failed == 0, $"client requests failed across maintenance on: {handover}\n{lab.Diagnostics()}");

        var off = Verb(lab, "a", "maintenance", "off");
        lab.Log("maintenance off: " + off);
        await lab.WaitForVipAsync(true, false, "VIP back on a only after maintenance off (preempt)");
        var back = DateTimeOffset.UtcNow;
        await lab.WaitAsync(() => load.Report(back, DateTimeOffset.UtcNow).EndsWithSuccesses(back, 20, ViaA), Long,
            () => $"the client is served by a again: {load.Report(back, DateTimeOffset.UtcNow)}");
        await load.StopAsync();

        var all = load.Report(from, DateTimeOffset.UtcNow);
        lab.Log("whole run: " + all);
        // Taking the VIP back moves the client's ARP entry from b to a, so a connection the client opened with b just
        // before a's gratuitous ARP has its next segment answered by a with a reset (no VIP move over ARP avoids that;
        // keepalived's preemption does the same). What must not happen is what a stall looks like: a SYN lost to a
        // node that already dropped the VIP (curl timeout) or a refused connection.
        var takeBack = load.Report(offAt, DateTimeOffset.UtcNow);
        Assert.True(takeBack.Failures.All(f => f.CurlExit is 52 or 55 or 56) && takeBack.Failed <= 2,
            $"maintenance off: a failure other than a reset of a connection opened with b as a took the VIP back: {takeBack}\n{lab.Diagnostics()}");
    });

    /// <summary>Runs a gateway verb inside a node's namespace with that node's config, as an operator would on it.</summary>
    private static string Verb(PairLab lab, string node, params string[] args) =>
        Netns.Run(["ip", "netns", "exec", lab.Ns(node), GatewayProcess.Executable, .. args, "--config", lab.ConfigFile(node)]);

    [Fact]
    public Task Crash_of_the_master_moves_the_vip_to_b_and_a_restarted_master_takes_it_back() => RunAsync(async lab =>
    {
        await StartsOnA(lab);
        var load = lab.StartClientLoad(TimeSpan.FromSeconds(120));
        var from = DateTimeOffset.UtcNow;
        await lab.WaitAsync(() => load.Report(from, DateTimeOffset.UtcNow).Requests.Count >= 20, Long, () => "20 requests of steady load");

        var a = lab.Gateway("a");
        var kill = DateTimeOffset.UtcNow;
        lab.Log("SIGKILL gateway a");
        a.Signal("KILL");
        Assert.True(await a.WaitForExitAsync(Long), "gateway a survived SIGKILL");

        // a's kernel keeps the address a killed gateway added (nobody is left to remove it), so "VIP on b only" cannot
        // hold until a's gateway runs again. What matters: b takes the VIP and the client's traffic reaches b.
        await lab.WaitAsync(() => lab.HasVip("b"), Long, () => $"b takes the VIP after a crashed; holders (a, b) = {lab.VipHolders()}");
        lab.Log($"b holds the VIP; a's interface still has it: {lab.HasVip("a")}");
        await lab.WaitAsync(() => load.Report(kill, DateTimeOffset.UtcNow).EndsWithSuccesses(kill, 20, ViaB), Long,
            () => $"the client is served by b again: {load.Report(kill, DateTimeOffset.UtcNow)}");
        var crash = load.Report(kill, DateTimeOffset.UtcNow);
        lab.Log("from SIGKILL until served by b: " + crash);

        await lab.StartGatewayAsync("a");
        var restarted = DateTimeOffset.UtcNow;
        // At start a removes the address left from its crash, then preempts b (priority 150 > 100).
        await lab.WaitForVipAsync(true, false, "VIP back on a only after a restarted");
        lab.Log("VIP on a only");
        await lab.WaitAsync(() => load.Report(restarted, DateTimeOffset.UtcNow).EndsWithSuccesses(restarted, 20, ViaA), Long,
            () => $"the client is served by a again: {load.Report(restarted, DateTimeOffset.UtcNow)}");
        lab.Log("from a's restart until served by a: " + load.Report(restarted, DateTimeOffset.UtcNow));
        await load.StopAsync();
        lab.Log("whole run: " + load.Report(from, DateTimeOffset.UtcNow));
        Assert.False(lab.Gateway("b").HasExited, lab.Diagnostics());
    });

    [Fact]
    public Task Partition_makes_two_masters_and_healing_leaves_one_with_converged_trees() => RunAsync(async lab =>
    {
        const string Shared = "shared.sls", Original = "shared: original\n", EditA = "shared: edited on a\n", EditB = "shared: edited on b\n";
        const string NewA = "from-a.sls", NewB = "from-b.sls", ContentA = "written on a while partitioned\n", ContentB = "written on b while partitioned\n";

        await StartsOnA(lab);
        await lab.WaitAsync(() => Read(lab, "b", Shared) == Original && Read(lab, "b", "top.sls") is not null, TimeSpan.FromSeconds(60),
            () => "the seed tree replicated to b");

        lab.Partition();
        await lab.WaitForVipAsync(true, true, "both masters hold the VIP while partitioned");
        lab.Log("both hold the VIP");

        // a edits first, b later: b's edit of the shared file is the newer one and must win everywhere.
        long seqA = SyncSequence(lab, "a");
        await File.WriteAllTextAsync(Path.Combine(lab.Tree("a"), NewA), ContentA);
        await File.WriteAllTextAsync(Path.Combine(lab.Tree("a"), Shared), EditA);
        await lab.WaitAsync(() => SyncSequence(lab, "a") >= seqA + 2, Long, () => "a indexed its two changes");
        await Task.Delay(TimeSpan.FromSeconds(1));
        long seqB = SyncSequence(lab, "b");
        await File.WriteAllTextAsync(Path.Combine(lab.Tree("b"), NewB), ContentB);
        await File.WriteAllTextAsync(Path.Combine(lab.Tree("b"), Shared), EditB);
        await lab.WaitAsync(() => SyncSequence(lab, "b") >= seqB + 2, Long, () => "b indexed its two changes");
        lab.Log("edits made on both sides");

        lab.Heal();
        await lab.WaitForVipAsync(true, false, "VIP on a only after healing");
        lab.Log("VIP on a only");
        bool Converged() => PairLab.Masters.All(n =>
            Read(lab, n, NewA) == ContentA && Read(lab, n, NewB) == ContentB && Read(lab, n, Shared) == EditB);
        await lab.WaitAsync(Converged, TimeSpan.FromSeconds(90), () => "trees converged: " + string.Join("; ", PairLab.Masters.Select(n =>
            $"{n}: {NewA}={Quote(Read(lab, n, NewA))} {NewB}={Quote(Read(lab, n, NewB))} {Shared}={Quote(Read(lab, n, Shared))}")));
        lab.Log("trees converged");

        // The losing edit (a's) is kept under StateDirectory/conflicts. Which node keeps it depends on who pulls first
        // after healing: if a does, a sees b's newer edit as concurrent and saves its own version before taking b's;
        // if b does, b keeps its edit, saves a's version as the losing remote one, and a then receives a version that
        // dominates its own (no conflict left to see on a). Either way the copy exists, and never inside a tree.
        var copies = PairLab.Masters.SelectMany(n => ConflictCopies(lab, n).Select(c => (Node: n, c.Name, c.Content))).ToList();
        lab.Log($"conflict copies: {string.Join(", ", copies.Select(c => $"{c.Node}:{c.Name}={Quote(c.Content)}"))}");
        Assert.Contains(copies, c => c.Content == EditA && c.Name.Contains(Shared, StringComparison.Ordinal));
        Assert.DoesNotContain(copies, c => c.Content == EditB);
        foreach (var n in PairLab.Masters)
        {
            Assert.DoesNotContain(Directory.EnumerateFiles(lab.Tree(n), "*", SearchOption.AllDirectories),
                p => p.EndsWith(".conflict", StringComparison.Ordinal) || File.ReadAllText(p) == EditA);
        }

        foreach (var n in PairLab.Masters) lab.Log($"sync roots on {n}: {RootStates(lab, n)}");

        await lab.WaitAsync(() => lab.ClientGet() == ("200", ViaA), Long, () => $"the client is served by a; last: {lab.ClientGet()}");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal((true, false), lab.VipHolders());
    }, seed: new Dictionary<string, string> { ["top.sls"] = "base:\n  '*':\n    - common\n", ["shared.sls"] = "shared: original\n" });

    private async Task RunAsync(Func<PairLab, Task> body, IReadOnlyDictionary<string, string>? seed = null)
    {
        await using var lab = await PairLab.StartAsync(output, seed);
        try
        {
            await body(lab).WaitAsync(Budget);
        }
        catch (TimeoutException e) when (e.Message.StartsWith("The operation has timed out", StringComparison.Ordinal))
        {
            throw new TimeoutException($"test over its budget of {Budget.TotalMinutes} min\n{lab.Diagnostics()}", e);
        }
    }

    /// <summary>Both gateways up: a holds the VIP alone and the client gets act2 through a.</summary>
    private static async Task StartsOnA(PairLab lab)
    {
        await lab.WaitForVipAsync(true, false, "VIP on a only at start");
        await lab.WaitAsync(() => lab.ClientGet() == ("200", ViaA), Long, () => $"the client is served through a; last: {lab.ClientGet()}");
        lab.Log("VIP on a only, client served through a");
    }

    private static string? Read(PairLab lab, string node, string path)
    {
        try
        {
            return File.ReadAllText(Path.Combine(lab.Tree(node), path));
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string Quote(string? s) => s is null ? "(missing)" : JsonSerializer.Serialize(s);

    private static long SyncSequence(PairLab lab, string node)
    {
        var text = lab.Curl(node, "http://127.0.0.1:9145/sync/status");
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.GetProperty("sequence").GetInt64();
        }
        catch (JsonException)
        {
            return -1;
        }
    }

    private static string RootStates(PairLab lab, string node)
    {
        var text = lab.Curl(node, "http://127.0.0.1:9145/sync/status");
        try
        {
            using var doc = JsonDocument.Parse(text);
            return string.Join(", ", doc.RootElement.GetProperty("roots").EnumerateArray().Select(r =>
                $"{r.GetProperty("state").GetString()} (open conflicts {r.GetProperty("openConflicts").GetInt32()}, pending {r.GetProperty("pendingChanges").GetInt64()})"));
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return text;
        }
    }

    private static List<(string Name, string Content)> ConflictCopies(PairLab lab, string node) =>
        Directory.Exists(lab.ConflictDir(node))
            ? Directory.GetFiles(lab.ConflictDir(node)).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToList()
            : [];
}
