using Microsoft.Extensions.Logging.Abstractions;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.Scanning;
using SaltHaGateway.Sync.State;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Scanning;

/// <summary>A full scan commits never-seen paths in chunks while walking, parents always before children.</summary>
public sealed class FirstScanChunkTests
{
    private static (TreeScanner Scanner, SyncStateStore Store, SyncRoot Root) Setup(TempDir dir)
    {
        var tree = Path.Combine(dir.Path, "srv", "salt");
        Directory.CreateDirectory(tree);
        var store = new SyncStateStore(Path.Combine(dir.Path, "index.db"));
        var scanner = new TreeScanner(store, new IgnoreRules([]), "node1", 1 << 20, false, TimeProvider.System, NullLogger<TreeScanner>.Instance);
        return (scanner, store, new SyncRoot("/srv/salt", tree));
    }

    private static void Populate(string tree, int dirs, int files)
    {
        for (int d = 0; d < dirs; d++)
        {
            Directory.CreateDirectory(Path.Combine(tree, $"d{d}"));
            for (int f = 0; f < files; f++) File.WriteAllText(Path.Combine(tree, $"d{d}", $"f{f}.sls"), $"k: {d}-{f}\n");
        }
    }

    [Fact]
    public void First_indexing_is_committed_in_chunks_with_every_directory_before_its_children()
    {
        using var dir = new TempDir();
        var (scanner, store, root) = Setup(dir);
        using var _ = store;
        Populate(root.PhysicalPath, 3, 10);
        var chunkSizes = new List<int>();
        var result = scanner.ScanRoot(root, chunk =>
        {
            chunkSizes.Add(chunk.Count);
            store.Write(chunk.Select(e => (e, true)).ToList());
        }, chunkSize: 7);

        Assert.Null(result.PauseReason);
        Assert.Empty(result.NewVersions);
        Assert.True(chunkSizes.Count >= 5, $"expected several chunks, got {chunkSizes.Count}");
        Assert.All(chunkSizes, n => Assert.InRange(n, 1, 7));
        var log = store.ChangesSince(0, 1000);
        Assert.Equal(1 + 3 + 30, log.Count);
        var seqOf = log.ToDictionary(e => e.Path.Value, e => e.Sequence);
        foreach (var e in log.Where(e => !e.Path.IsRoot))
        {
            Assert.True(seqOf[e.Path.Parent.Value] < e.Sequence, $"{e.Path} logged before its directory");
        }
        // A second full scan finds everything indexed: nothing new, nothing handed out.
        var again = scanner.ScanRoot(root, chunk => Assert.Fail("unexpected chunk of " + chunk.Count));
        Assert.Empty(again.NewVersions);
    }

    [Fact]
    public void New_paths_below_a_changed_path_wait_for_the_ordered_commit()
    {
        using var dir = new TempDir();
        var (scanner, store, root) = Setup(dir);
        using var _ = store;
        Populate(root.PhysicalPath, 1, 2);
        File.WriteAllText(Path.Combine(root.PhysicalPath, "x"), "a file first\n");
        store.Write(scanner.ScanRoot(root, chunk => store.Write(chunk.Select(e => (e, true)).ToList())).NewVersions.Select(e => (e, true)).ToList());

        // "x" turns from a file into a directory holding new files: its children must not reach the log before it.
        File.Delete(Path.Combine(root.PhysicalPath, "x"));
        Directory.CreateDirectory(Path.Combine(root.PhysicalPath, "x", "y"));
        for (int i = 0; i < 5; i++) File.WriteAllText(Path.Combine(root.PhysicalPath, "x", "y", $"n{i}"), "new\n");
        File.WriteAllText(Path.Combine(root.PhysicalPath, "d0", "fresh.sls"), "fresh\n");
        var chunked = new List<string>();
        var result = scanner.ScanRoot(root, chunk => chunked.AddRange(chunk.Select(e => e.Path.Value)), chunkSize: 2);

        Assert.Equal(["d0/fresh.sls"], chunked);
        Assert.Equal(["x", "x/y", "x/y/n0", "x/y/n1", "x/y/n2", "x/y/n3", "x/y/n4"], result.NewVersions.Select(e => e.Path.Value).Order(StringComparer.Ordinal));
        Assert.Equal("x", result.NewVersions[0].Path.Value);
        Assert.Equal(EntryKind.Directory, result.NewVersions[0].Kind);
    }
}
