using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class ConflictTests
{
    [Fact]
    public async Task Edits_on_both_sides_while_a_peer_is_down_converge_with_conflicts_visible()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        File.WriteAllText(a.P("/srv/salt/both.sls"), "v0\n");
        File.WriteAllText(a.P("/srv/salt/doomed.sls"), "v0\n");
        await c.StartAsync();
        await Wait.UntilAsync(() => File.Exists(b.P("/srv/salt/both.sls")) && File.Exists(b.P("/srv/salt/doomed.sls")), "initial sync");
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.All(r => r.State == "in-sync"), "a in sync");

        await b.StopAsync();
        // While b is down: both edit the same file (b later, so b's edit must win), a edits alone,
        // b edits alone, a deletes a file that b modifies (the modification must survive).
        File.WriteAllText(a.P("/srv/salt/both.sls"), "from a\n");
        File.WriteAllText(a.P("/srv/salt/only-a.sls"), "a\n");
        File.Delete(a.P("/srv/salt/doomed.sls"));
        await Wait.UntilAsync(() => a.Engine.GetStatus().Sequence >= 7, "a indexed its edits");
        await Task.Delay(20); // b's edit gets a later origin time than a's
        File.WriteAllText(b.P("/srv/salt/both.sls"), "from b\n");
        File.WriteAllText(b.P("/srv/salt/only-b.sls"), "b\n");
        File.WriteAllText(b.P("/srv/salt/doomed.sls"), "b keeps this\n");
        await b.StartAsync();

        await Wait.UntilAsync(() => File.Exists(a.P("/srv/salt/only-b.sls")) && File.Exists(b.P("/srv/salt/only-a.sls")), "one-sided edits flow");
        await Wait.UntilAsync(() => File.ReadAllText(a.P("/srv/salt/both.sls")) == "from b\n" && File.ReadAllText(b.P("/srv/salt/both.sls")) == "from b\n", "newer edit wins on both");
        await Wait.UntilAsync(() => File.Exists(a.P("/srv/salt/doomed.sls")) && File.ReadAllText(a.P("/srv/salt/doomed.sls")) == "b keeps this\n", "modify beats delete");

        // The losing version is kept outside every served tree, and the conflict is listed.
        var conflicts = a.Engine.GetStatus().Conflicts.Concat(b.Engine.GetStatus().Conflicts).ToList();
        Assert.Contains(conflicts, x => x.Path == "both.sls" && x.Reason.Contains("newer"));
        Assert.Contains(conflicts, x => x.Path == "doomed.sls" && x.Reason.Contains("modify versus delete"));
        var kept = c.Nodes.Select(n => Path.Combine(n.State, "conflicts")).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d)).ToList();
        Assert.Contains(kept, f => File.ReadAllText(f) == "from a\n");
        Assert.DoesNotContain(Directory.EnumerateFiles(a.P("/srv/salt"), "*", SearchOption.AllDirectories), f => f.Contains("conflict"));

        // Converged: the same versions on both sides and nothing left to send.
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.All(r => r.State == "in-sync") && b.Engine.GetStatus().Roots.All(r => r.State == "in-sync"), "both in sync");
    }

    [Fact]
    public async Task Master_key_changed_on_both_sides_is_frozen_and_alerted()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        await c.StartAsync();
        await b.StopAsync();
        File.WriteAllText(a.P("/etc/salt/pki/master/master.pub"), "KEY A\n");
        File.WriteAllText(b.P("/etc/salt/pki/master/master.pub"), "KEY B\n");
        await b.StartAsync();

        await Wait.UntilAsync(() => a.Engine.GetStatus().Conflicts.Any(x => x.Path == "master.pub" && x.Action == "Freeze" && x.Alert), "a froze master.pub");
        await Wait.UntilAsync(() => b.Engine.GetStatus().Conflicts.Any(x => x.Path == "master.pub" && x.Action == "Freeze"), "b froze master.pub");
        Assert.Equal("KEY A\n", File.ReadAllText(a.P("/etc/salt/pki/master/master.pub")));
        Assert.Equal("KEY B\n", File.ReadAllText(b.P("/etc/salt/pki/master/master.pub")));
        Assert.Equal("conflict", a.Engine.GetStatus().Roots.Single(r => r.Root == "/etc/salt/pki/master").State);
    }

    [Fact]
    public async Task Identical_files_present_on_both_nodes_before_the_first_sync_are_not_conflicts()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        foreach (var n in c.Nodes)
        {
            File.WriteAllText(n.P("/srv/salt/same.sls"), "same\n");
            File.SetLastWriteTimeUtc(n.P("/srv/salt/same.sls"), new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }
        await c.StartAsync();
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.All(r => r.State == "in-sync") && b.Engine.GetStatus().Roots.All(r => r.State == "in-sync"), "merged");
        Assert.Empty(a.Engine.GetStatus().Conflicts);
        Assert.Empty(b.Engine.GetStatus().Conflicts);
    }

    [Fact]
    public async Task A_minion_id_that_ends_up_with_two_different_keys_raises_an_alert()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        Directory.CreateDirectory(a.P("/etc/salt/pki/master/minions"));
        Directory.CreateDirectory(b.P("/etc/salt/pki/master/minions_pre"));
        File.WriteAllText(a.P("/etc/salt/pki/master/minions/web1"), "-----BEGIN PUBLIC KEY-----\nAAAA\n");
        File.WriteAllText(b.P("/etc/salt/pki/master/minions_pre/web1"), "-----BEGIN PUBLIC KEY-----\nBBBB\n");
        await c.StartAsync();

        await Wait.UntilAsync(() => File.Exists(b.P("/etc/salt/pki/master/minions/web1")) && File.Exists(a.P("/etc/salt/pki/master/minions_pre/web1")), "keys replicated");
        await Wait.UntilAsync(() => PrefixLoggerProvider.Lines.Any(l => l.Contains("ALERT") && l.Contains("minion id 'web1' has a different key")), "alert logged");
        var alerts = await RobustnessTests.Scrape(a.Registry, "saltha_sync_alerts_total") + await RobustnessTests.Scrape(b.Registry, "saltha_sync_alerts_total");
        Assert.True(alerts >= 1);
    }
}
