using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class HookTests
{
    private static int Runs(string marker) => File.Exists(marker) ? File.ReadAllLines(marker).Length : 0;

    [Fact]
    public async Task Hooks_run_after_remote_changes_and_after_local_ones_only_when_asked_never_for_the_first_scan()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        var markerA = Path.Combine(c.BaseDir, "hook-a");
        var markerB = Path.Combine(c.BaseDir, "hook-b");
        a.Extra["ConfigSync:Hooks:MasterConfig:Command"] = $"echo run >> '{markerA}'";
        a.Extra["ConfigSync:Hooks:MasterConfig:DebounceSeconds"] = "1";
        a.Extra["ConfigSync:Hooks:MasterConfig:OnLocalChanges"] = "true";
        b.Extra["ConfigSync:Hooks:MasterConfig:Command"] = $"echo run >> '{markerB}'";
        b.Extra["ConfigSync:Hooks:MasterConfig:DebounceSeconds"] = "1";
        // There before the start: found by the first scan, which is not an edit.
        File.WriteAllText(a.P("/etc/salt/master.d/old.conf"), "# old\n");
        await c.StartAsync();

        // b applies a's file: a remote change for b.
        await Wait.UntilAsync(() => Runs(markerB) == 1, "b's hook ran for the file it received");
        await Task.Delay(1500);
        Assert.Equal(0, Runs(markerA));

        // An edit on a: local for a (asked for), remote for b.
        File.WriteAllText(a.P("/etc/salt/master.d/new.conf"), "# new\n");
        await Wait.UntilAsync(() => Runs(markerA) == 1 && Runs(markerB) == 2, "a's local hook and b's remote hook ran");

        // An edit on b: remote for a; b did not ask for local changes.
        File.WriteAllText(b.P("/etc/salt/master.d/b.conf"), "# b\n");
        await Wait.UntilAsync(() => Runs(markerA) == 2, "a's hook ran for b's edit");
        await Task.Delay(1500);
        Assert.Equal(2, Runs(markerB));
    }
}
