using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.State;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.State;

public sealed class ConflictRecordStoreTests
{
    private const string Root = "/etc/salt/pki/master";

    private static ConflictRecord Freeze(string local, string remote, string path = "master.pem") =>
        new(0, Root, path, "MasterKey", "Freeze", "frozen", true, local, remote, "file a", "file b", "b", null, 1, Open: true);

    private static FileEntry Entry(string version, string path = "master.pem") => new()
    {
        Root = Root, Path = RelativePath.Parse(path), Kind = EntryKind.File, Sha256 = new string('a', 64), Size = 1,
        Mode = 0b100_000_000, Version = VersionVector.Parse(version), OriginNode = "a",
    };

    [Fact]
    public void A_conflict_is_found_by_id_and_closes_once()
    {
        using var dir = new TempDir();
        using var store = new SyncStateStore(Path.Combine(dir.Path, "index.db"));
        var id = store.AddConflict(Freeze("a:2", "a:1,b:1"));
        Assert.True(store.GetConflict(id)!.Open);
        Assert.Null(store.GetConflict(id + 1));
        Assert.True(store.CloseConflict(id));
        Assert.False(store.CloseConflict(id));
        Assert.False(store.GetConflict(id)!.Open);
        Assert.False(store.CloseConflict(id + 1));
    }

    [Fact]
    public void Open_conflicts_close_only_when_the_indexed_version_covers_both_sides()
    {
        using var dir = new TempDir();
        using var store = new SyncStateStore(Path.Combine(dir.Path, "index.db"));
        var pem = store.AddConflict(Freeze("a:2", "a:1,b:1"));
        var pub = store.AddConflict(Freeze("a:2", "a:1,b:1", "master.pub"));

        // Frozen: the index still holds the local side only; an operator's plain rewrite is still concurrent.
        store.Write([(Entry("a:2"), true), (Entry("a:3", "master.pub"), true)]);
        Assert.Empty(store.CloseSupersededConflicts());

        // The resolution (made here or on the peer) arrives for master.pem only.
        store.Write([(Entry("a:3,b:1"), true)]);
        Assert.Equal([pem], store.CloseSupersededConflicts().Select(c => c.Id));
        Assert.False(store.GetConflict(pem)!.Open);
        Assert.True(store.GetConflict(pub)!.Open);
        Assert.Empty(store.CloseSupersededConflicts());
    }
}
