using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class ConflictPolicyTests
{
    private static FileEntry File(string vv, string sha = "aa", string origin = "a", long time = 100, bool deleted = false, string path = "top.sls") => new()
    {
        Root = "/srv/salt", Path = RelativePath.Parse(path), Kind = EntryKind.File, Sha256 = deleted ? null : sha, Size = 3,
        Mode = 0x1A4, Version = VersionVector.Parse(vv), OriginNode = origin, OriginTimeNs = time, Deleted = deleted,
    };

    [Fact]
    public void Unknown_path_is_applied()
    {
        var d = ConflictPolicy.Decide(null, File("b:1"), PathClass.Tree);
        Assert.Equal(ConflictAction.Apply, d.Action);
        Assert.False(d.IsConflict);
    }

    [Fact]
    public void Dominating_remote_is_applied_and_dominated_or_equal_is_ignored()
    {
        Assert.Equal(ConflictAction.Apply, ConflictPolicy.Decide(File("a:1"), File("a:1,b:1", "bb"), PathClass.Tree).Action);
        Assert.Equal(ConflictAction.Ignore, ConflictPolicy.Decide(File("a:2"), File("a:1", "bb"), PathClass.Tree).Action);
        Assert.Equal(ConflictAction.Ignore, ConflictPolicy.Decide(File("a:2"), File("a:2"), PathClass.Tree).Action);
    }

    [Fact]
    public void Concurrent_identical_versions_merge_silently()
    {
        var d = ConflictPolicy.Decide(File("a:1"), File("b:1", origin: "b"), PathClass.MasterKey);
        Assert.Equal(ConflictAction.MergeVersions, d.Action);
        Assert.False(d.IsConflict);
        Assert.Equal("a:1,b:1", d.ResultVersion!.ToString());
    }

    [Fact]
    public void Concurrent_different_tree_files_newest_origin_time_wins_on_both_sides()
    {
        var local = File("a:1", "aa", "a", time: 200);
        var remote = File("b:1", "bb", "b", time: 300);
        var onA = ConflictPolicy.Decide(local, remote, PathClass.Tree);
        var onB = ConflictPolicy.Decide(remote, local, PathClass.Tree);
        Assert.Equal(ConflictAction.TakeRemote, onA.Action);
        Assert.Equal(ConflictAction.KeepLocal, onB.Action);
        Assert.True(onA.IsConflict);
        Assert.Equal(onA.ResultVersion, onB.ResultVersion);
    }

    [Fact]
    public void Equal_origin_times_break_ties_by_node_id_consistently()
    {
        var x = File("a:1", "aa", "a", time: 5);
        var y = File("b:1", "bb", "b", time: 5);
        Assert.Equal(ConflictAction.TakeRemote, ConflictPolicy.Decide(x, y, PathClass.MasterConfig).Action);
        Assert.Equal(ConflictAction.KeepLocal, ConflictPolicy.Decide(y, x, PathClass.MasterConfig).Action);
    }

    [Fact]
    public void Modification_beats_concurrent_deletion_whatever_the_clocks_say()
    {
        var modified = File("a:2", "aa", "a", time: 1);
        var deleted = File("a:1,b:1", origin: "b", time: 999, deleted: true);
        Assert.Equal(ConflictAction.KeepLocal, ConflictPolicy.Decide(modified, deleted, PathClass.Tree).Action);
        Assert.Equal(ConflictAction.TakeRemote, ConflictPolicy.Decide(deleted, modified, PathClass.Tree).Action);
    }

    [Fact]
    public void Master_keys_are_frozen_with_an_alert()
    {
        var d = ConflictPolicy.Decide(File("a:1", "aa", path: "master.pem"), File("b:1", "bb", "b", path: "master.pem"), PathClass.MasterKey);
        Assert.Equal(ConflictAction.Freeze, d.Action);
        Assert.True(d.Alert);
    }

    [Fact]
    public void A_minion_id_with_two_keys_raises_an_alert()
    {
        var d = ConflictPolicy.Decide(File("a:1", "aa", path: "minions/web1"), File("b:1", "bb", "b", time: 500, path: "minions/web1"), PathClass.MinionKey);
        Assert.True(d.IsConflict);
        Assert.True(d.Alert);
        Assert.Contains("two different keys", d.Reason);
    }

    [Fact]
    public void Sibling_key_paths_cover_the_other_minion_directories()
    {
        var siblings = PathClassifier.SiblingKeyPaths(RelativePath.Parse("minions_pre/web1")).Select(p => p.Value).ToList();
        Assert.Contains("minions/web1", siblings);
        Assert.Contains("minions_denied/web1", siblings);
        Assert.DoesNotContain("minions_pre/web1", siblings);
    }

    [Theory]
    [InlineData("/etc/salt/pki/master", "master.pem", PathClass.MasterKey)]
    [InlineData("/etc/salt/pki/master", "master.pub", PathClass.MasterKey)]
    [InlineData("/etc/salt/pki/master", "master_sign.pem", PathClass.MasterKey)]
    [InlineData("/etc/salt/pki/master", "minions/web1", PathClass.MinionKey)]
    [InlineData("/etc/salt/pki/master", "minions_pre/web2", PathClass.MinionKey)]
    [InlineData("/etc/salt/master", "", PathClass.MasterConfig)]
    [InlineData("/etc/salt/master.d", "api.conf", PathClass.MasterConfig)]
    [InlineData("/srv/salt", "top.sls", PathClass.Tree)]
    [InlineData("/srv/salt", "minions.sls", PathClass.Tree)]
    public void Paths_are_classified_by_name(string root, string path, PathClass expected) =>
        Assert.Equal(expected, PathClassifier.Classify(root, RelativePath.Parse(path)));
}
