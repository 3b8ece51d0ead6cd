using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

/// <summary>Two real nodes on loopback (mutual TLS), each with its own temp tree.</summary>
[Collection("integration")]
public sealed class ReplicationTests
{
    private static bool SameFile(TestNode a, TestNode b, string path)
    {
        var pa = a.P(path);
        var pb = b.P(path);
        if (!File.Exists(pa) || !File.Exists(pb)) return false;
        if (!File.ReadAllBytes(pa).AsSpan().SequenceEqual(File.ReadAllBytes(pb))) return false;
        return Posix.Stat(pa) == Posix.Stat(pb);
    }

    [Fact]
    public async Task Create_modify_chmod_chown_rename_delete_replicate_with_metadata()
    {
        await using var c = new Cluster(2);
        await c.StartAsync();
        var (a, b) = (c.A, c.B);

        File.WriteAllText(a.P("/srv/salt/top.sls"), "base:\n  '*':\n    - common\n");
        await Wait.UntilAsync(() => SameFile(a, b, "/srv/salt/top.sls"), "create replicated with mode/owner/ns mtime");

        File.WriteAllText(a.P("/srv/salt/top.sls"), "base:\n  '*':\n    - other\n");
        await Wait.UntilAsync(() => SameFile(a, b, "/srv/salt/top.sls") && File.ReadAllText(b.P("/srv/salt/top.sls")).Contains("other"), "modify");

        File.SetUnixFileMode(a.P("/srv/salt/top.sls"), UnixFileMode.UserRead);
        await Wait.UntilAsync(() => Posix.Stat(b.P("/srv/salt/top.sls")).Mode == 0b100_000_000, "chmod 0400");

        Posix.Chown(a.P("/srv/salt/top.sls"), 1234, 5678);
        await Wait.UntilAsync(() => Posix.Stat(b.P("/srv/salt/top.sls")) is { Uid: 1234, Gid: 5678 }, "chown");

        File.Move(a.P("/srv/salt/top.sls"), a.P("/srv/salt/renamed.sls"));
        await Wait.UntilAsync(() => !File.Exists(b.P("/srv/salt/top.sls")) && SameFile(a, b, "/srv/salt/renamed.sls"), "rename");

        File.Delete(a.P("/srv/salt/renamed.sls"));
        await Wait.UntilAsync(() => !File.Exists(b.P("/srv/salt/renamed.sls")), "delete");
        await Task.Delay(300);
        Assert.False(File.Exists(a.P("/srv/salt/renamed.sls")), "deletion must not be undone");
    }

    [Fact]
    public async Task Symlinks_empty_directories_and_files_in_new_directories_replicate()
    {
        await using var c = new Cluster(2);
        await c.StartAsync();
        var (a, b) = (c.A, c.B);

        Directory.CreateDirectory(a.P("/srv/salt/empty"));
        Directory.CreateDirectory(a.P("/srv/salt/new/deep/er"));
        for (int i = 0; i < 5; i++) File.WriteAllText(a.P($"/srv/salt/new/deep/er/f{i}.sls"), $"n: {i}\n");
        File.CreateSymbolicLink(a.P("/srv/salt/link.sls"), "new/deep/er/f1.sls");

        await Wait.UntilAsync(() => Directory.Exists(b.P("/srv/salt/empty")), "empty dir");
        await Wait.UntilAsync(() => Enumerable.Range(0, 5).All(i => SameFile(a, b, $"/srv/salt/new/deep/er/f{i}.sls")), "files inside a just-created directory");
        await Wait.UntilAsync(() => new FileInfo(b.P("/srv/salt/link.sls")).LinkTarget == "new/deep/er/f1.sls", "symlink as a link");
        Assert.True(new FileInfo(b.P("/srv/salt/link.sls")).Attributes.HasFlag(FileAttributes.ReparsePoint));
    }

    [Fact]
    public async Task Pki_modes_survive_and_changes_flow_both_ways()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        await c.StartAsync();
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.All(r => r.State == "in-sync"), "settled");
        File.SetUnixFileMode(a.P("/etc/salt/pki/master"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(a.P("/etc/salt/pki/master/master.pem"), "-----BEGIN RSA PRIVATE KEY-----\nx\n");
        File.SetUnixFileMode(a.P("/etc/salt/pki/master/master.pem"), UnixFileMode.UserRead);

        await Wait.UntilAsync(() => File.Exists(b.P("/etc/salt/pki/master/master.pem")) && Posix.Stat(b.P("/etc/salt/pki/master/master.pem")).Mode == 0x100, "master.pem 0400");
        await Wait.UntilAsync(() => Posix.Stat(b.P("/etc/salt/pki/master")).Mode == 0x1C0, "pki dir 0700");

        File.WriteAllText(b.P("/etc/salt/master.d/api.conf"), "rest_cherrypy:\n  port: 8090\n");
        await Wait.UntilAsync(() => SameFile(b, a, "/etc/salt/master.d/api.conf"), "b to a");
        File.WriteAllText(a.P("/etc/salt/master"), "interface: 0.0.0.0\n");
        await Wait.UntilAsync(() => File.ReadAllText(b.P("/etc/salt/master")) == "interface: 0.0.0.0\n", "single-file root");
    }
}
