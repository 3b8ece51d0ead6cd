using System.Security.Cryptography;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

/// <summary>Nodes as separate processes: SIGKILL mid-transfer, and same absolute roots via mount namespaces.</summary>
[Collection("integration")]
public sealed class ProcessTests
{
    private static bool Identical(string x, string y) =>
        File.Exists(x) && File.Exists(y) && new FileInfo(x).Length == new FileInfo(y).Length
        && SHA256.HashData(File.ReadAllBytes(x)).AsSpan().SequenceEqual(SHA256.HashData(File.ReadAllBytes(y)));

    [Fact]
    public async Task Kill_9_mid_transfer_leaves_no_partial_file_and_converges_after_restart()
    {
        using var dir = new TempDir();
        await using var a = new TestNode(dir.Path, "a");
        var b = new TestNode(dir.Path, "b");
        a.Peers.Add(b);
        b.Peers.Add(a);
        var rng = new Random(7);
        var big = new byte[12 * 1024 * 1024];
        for (int i = 0; i < 8; i++)
        {
            rng.NextBytes(big);
            File.WriteAllBytes(a.P($"/srv/salt/big{i}.bin"), big);
        }
        for (int i = 0; i < 50; i++) File.WriteAllText(a.P($"/srv/salt/small{i}.sls"), $"n: {i}\n");
        await a.StartAsync();

        var config = ProcessNode.WriteConfig(Path.Combine(b.Dir, "node.json"), b.Configuration(), b.Tree);
        var staging = b.P("/srv/.saltha-sync-staging");
        var proc = new ProcessNode { ConfigPath = config };
        await proc.StartAsync();
        // Kill while a large file is half written in the staging directory (or, failing that, once some arrived).
        await Wait.UntilAsync(() =>
            (Directory.Exists(staging) && Directory.EnumerateFiles(staging).Any(f => new FileInfo(f).Length > 0))
            || File.Exists(b.P("/srv/salt/big0.bin")), "a transfer in progress", seconds: 60);
        proc.Kill9();

        var bFiles = Directory.EnumerateFiles(b.P("/srv/salt"), "*", SearchOption.AllDirectories).ToList();
        Assert.True(bFiles.Count < 58, "the kill should happen before everything arrived");
        foreach (var f in bFiles)
        {
            var twin = a.P("/srv/salt/" + Path.GetRelativePath(b.P("/srv/salt"), f));
            Assert.True(Identical(f, twin), $"partial or wrong file on b after kill -9: {f}");
        }

        await using var again = new ProcessNode { ConfigPath = config };
        await again.StartAsync();
        await Wait.UntilAsync(() => Enumerable.Range(0, 8).All(i => Identical(a.P($"/srv/salt/big{i}.bin"), b.P($"/srv/salt/big{i}.bin")))
            && Enumerable.Range(0, 50).All(i => Identical(a.P($"/srv/salt/small{i}.sls"), b.P($"/srv/salt/small{i}.sls"))), "convergence after restart", seconds: 90);
        Assert.Empty(Directory.EnumerateFiles(staging));
        Assert.Equal(58, Directory.EnumerateFiles(a.P("/srv/salt")).Count());
    }

    [Fact]
    public async Task Nodes_in_their_own_mount_namespaces_sync_the_same_absolute_paths()
    {
        using var dir = new TempDir();
        var shared = "/srv/shgs-" + Path.GetFileName(dir.Path);
        Directory.CreateDirectory(shared);
        try
        {
            var a = new TestNode(dir.Path, "a") { RootList = [shared + "/salt"] };
            var b = new TestNode(dir.Path, "b") { RootList = [shared + "/salt"] };
            a.Peers.Add(b);
            b.Peers.Add(a);
            foreach (var n in new[] { a, b }) Directory.CreateDirectory(n.Dir + "/mnt/salt");
            File.WriteAllText(a.Dir + "/mnt/salt/top.sls", "base: {}\n");

            await using var pa = new ProcessNode
            {
                ConfigPath = ProcessNode.WriteConfig(Path.Combine(a.Dir, "node.json"), a.Configuration(), null),
                NamespaceSetup = $"mount --bind '{a.Dir}/mnt' '{shared}'",
            };
            await using var pb = new ProcessNode
            {
                ConfigPath = ProcessNode.WriteConfig(Path.Combine(b.Dir, "node.json"), b.Configuration(), null),
                NamespaceSetup = $"mount --bind '{b.Dir}/mnt' '{shared}'",
            };
            await pa.StartAsync();
            await pb.StartAsync();

            await Wait.UntilAsync(() => File.Exists(b.Dir + "/mnt/salt/top.sls"), "a's file under b's private mount");
            File.WriteAllText(b.Dir + "/mnt/salt/web.sls", "nginx: pkg.installed\n");
            await Wait.UntilAsync(() => File.Exists(a.Dir + "/mnt/salt/web.sls"), "b's file under a's private mount");
            Assert.Empty(Directory.EnumerateFileSystemEntries(shared)); // host view of the shared path untouched
        }
        finally
        {
            Directory.Delete(shared, recursive: true);
        }
    }
}
