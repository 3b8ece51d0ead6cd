using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.State;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.State;

public sealed class SyncStateStoreTests
{
    private static FileEntry E(string path, string vv = "a:1", string? from = null) => new()
    {
        Root = "/srv/salt", Path = RelativePath.Parse(path), Kind = EntryKind.File, Sha256 = new string('0', 64), Size = 1,
        Mode = 0x1A4, Version = VersionVector.Parse(vv), OriginNode = "a", MtimeNs = 123_456_789_012_345_678, ReceivedFrom = from,
    };

    [Fact]
    public void Sequences_are_assigned_in_order_and_survive_reopening()
    {
        using var dir = new TempDir();
        var db = Path.Combine(dir.Path, "index.db");
        string index;
        using (var store = new SyncStateStore(db))
        {
            index = store.IndexId;
            var written = store.Write([(E("a"), true), (E("b"), true)]);
            Assert.Equal([1L, 2L], written.Select(w => w.Sequence));
            store.Write([(E("a", "a:2"), true)]);
            Assert.Equal(["b", "a"], store.ChangesSince(1, 10).Select(e => e.Path.Value));
        }
        using (var store = new SyncStateStore(db))
        {
            Assert.Equal(index, store.IndexId);
            Assert.Equal(3, store.MaxSequence);
            var a = store.Get("/srv/salt", RelativePath.Parse("a"))!;
            Assert.Equal("a:2", a.Version.ToString());
            Assert.Equal(123_456_789_012_345_678, a.MtimeNs);
            Assert.Equal(4, store.Write([(E("c"), true)])[0].Sequence);
        }
    }

    [Fact]
    public void Pending_counts_skip_entries_received_from_that_peer_and_tombstones_need_acks()
    {
        using var dir = new TempDir();
        using var store = new SyncStateStore(Path.Combine(dir.Path, "index.db"));
        store.Write([(E("mine"), true), (E("theirs", from: "b"), true), (E("gone") with { Deleted = true, OriginTimeNs = 1 }, true)]);
        Assert.Equal(2, store.CountPendingFor("b", 0));
        Assert.Equal(3, store.CountPendingFor("c", 0));
        Assert.Equal(0, store.CollectTombstones(ackedByAll: 2, olderThanNs: 100));
        Assert.Equal(1, store.CollectTombstones(ackedByAll: 3, olderThanNs: 100));
        Assert.Null(store.Get("/srv/salt", RelativePath.Parse("gone")));
    }

    [Fact]
    public void Entries_under_a_directory_do_not_include_siblings_with_a_common_prefix()
    {
        using var dir = new TempDir();
        using var store = new SyncStateStore(Path.Combine(dir.Path, "index.db"));
        store.Write([(E("web"), true), (E("web/init.sls"), true), (E("webserver"), true)]);
        Assert.Equal(["web", "web/init.sls"], store.GetUnder("/srv/salt", RelativePath.Parse("web")).Keys.Order());
    }
}
