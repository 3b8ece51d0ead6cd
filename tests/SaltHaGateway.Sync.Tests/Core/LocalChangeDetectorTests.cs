using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class LocalChangeDetectorTests
{
    private static readonly RelativePath P = RelativePath.Parse("top.sls");

    private static FileEntry Stored() => new()
    {
        Root = "/srv/salt", Path = P, Kind = EntryKind.File, Sha256 = "aa", Size = 3, Mode = 0x1A4, Uid = 0, Gid = 0,
        MtimeNs = 1_000, LocalCtimeNs = 1_000, LocalInode = 7, Version = VersionVector.Parse("b:3"), OriginNode = "b", Sequence = 9,
        ReceivedFrom = "b",
    };

    private static LocalObservation Seen(string sha = "aa", long mtime = 1_000, long ctime = 1_000, int mode = 0x1A4) =>
        new(EntryKind.File, 3, mode, 0, 0, mtime, ctime, 7, sha);

    [Fact]
    public void An_applied_remote_version_seen_again_on_disk_is_not_a_new_version()
    {
        var (kind, _) = LocalChangeDetector.Evaluate("/srv/salt", P, Stored(), Seen(), "a", 5);
        Assert.Equal(LocalChangeKind.Unchanged, kind);
    }

    [Fact]
    public void A_same_size_same_timestamp_rewrite_is_hashed_when_the_watcher_hinted()
    {
        Assert.False(LocalChangeDetector.NeedsHash(Stored(), Seen(), force: false));
        Assert.True(LocalChangeDetector.NeedsHash(Stored(), Seen(), force: true));
        var (kind, entry) = LocalChangeDetector.Evaluate("/srv/salt", P, Stored(), Seen(sha: "bb"), "a", 5);
        Assert.Equal(LocalChangeKind.NewVersion, kind);
        Assert.Equal("a:1,b:3", entry!.Version.ToString());
        Assert.Null(entry.ReceivedFrom);
        Assert.Equal("a", entry.OriginNode);
    }

    [Fact]
    public void Only_ctime_changed_refreshes_hints_without_a_version()
    {
        var (kind, entry) = LocalChangeDetector.Evaluate("/srv/salt", P, Stored(), Seen(ctime: 2_000), "a", 5);
        Assert.Equal(LocalChangeKind.HintsOnly, kind);
        Assert.Equal(Stored().Version, entry!.Version);
    }

    [Fact]
    public void Mode_or_mtime_changes_are_new_versions()
    {
        Assert.Equal(LocalChangeKind.NewVersion, LocalChangeDetector.Evaluate("/srv/salt", P, Stored(), Seen(mode: 0x100), "a", 5).Kind);
        Assert.Equal(LocalChangeKind.NewVersion, LocalChangeDetector.Evaluate("/srv/salt", P, Stored(), Seen(mtime: 2_000), "a", 5).Kind);
    }

    [Fact]
    public void Tombstones_increment_the_version_and_order_before_creations_children_first()
    {
        var t = LocalChangeDetector.Tombstone(Stored(), "a", 9)!;
        Assert.True(t.Deleted);
        Assert.Equal("a:1,b:3", t.Version.ToString());
        Assert.Null(LocalChangeDetector.Tombstone(t, "a", 10));

        FileEntry E(string p, bool del) => Stored() with { Path = RelativePath.Parse(p), Deleted = del };
        var ordered = LocalChangeDetector.OrderForLog([E("x/y", true), E("x", true), E("n/m", false), E("n", false)]);
        Assert.Equal(["x/y", "x", "n", "n/m"], ordered.Select(e => e.Path.Value));
    }
}
