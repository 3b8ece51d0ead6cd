using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class ConflictResolutionTests
{
    [Theory]
    [InlineData("a:2", "a:1,b:1", "a")]
    [InlineData("a:2", "a:1,b:1", "b")]
    [InlineData("a:1,b:3,c:1", "a:4,b:1", "c")]
    [InlineData("", "b:1", "a")]
    public void The_resolved_version_dominates_both_sides_and_the_policy_applies_it_everywhere(string local, string remote, string node)
    {
        var l = VersionVector.Parse(local);
        var r = VersionVector.Parse(remote);
        var v = ConflictResolution.ResolvedVersion(l, r, node);
        Assert.Equal(VersionOrder.Dominates, v.Compare(l));
        Assert.Equal(VersionOrder.Dominates, v.Compare(r));

        // Each side, seeing the resolved entry arrive, applies it instead of freezing again.
        foreach (var side in new[] { l, r })
        {
            var here = Key(side, "0");
            var decision = ConflictPolicy.Decide(here, Key(v, "1"), PathClass.MasterKey);
            Assert.Equal(ConflictAction.Apply, decision.Action);
        }
    }

    [Fact]
    public void A_plain_local_rewrite_of_a_frozen_key_stays_concurrent_which_is_why_resolution_exists()
    {
        var a = VersionVector.Parse("a:2");
        var b = VersionVector.Parse("a:1,b:1");
        var decision = ConflictPolicy.Decide(Key(b, "0"), Key(a.Increment("a"), "1"), PathClass.MasterKey);
        Assert.Equal(ConflictAction.Freeze, decision.Action);
    }

    [Fact]
    public void A_file_description_round_trips_mode_owner_and_hash()
    {
        var e = Key(VersionVector.Parse("a:1"), "7") with { Mode = 0b100_000_000, Uid = 0, Gid = 998 };
        var d = ConflictResolution.ParseFileDescription(e.Describe());
        Assert.NotNull(d);
        Assert.Equal((e.Sha256!, 5L, 0b100_000_000, 0, 998), d.Value);
        Assert.Null(ConflictResolution.ParseFileDescription("deleted"));
        Assert.Null(ConflictResolution.ParseFileDescription("symlink -> x"));
        Assert.Null(ConflictResolution.ParseFileDescription(e.Describe() + " trailing"));
    }

    [Theory]
    [InlineData("local", true, KeepSide.Local)]
    [InlineData("remote", true, KeepSide.Remote)]
    [InlineData("Local", false, KeepSide.Local)]
    [InlineData("", false, KeepSide.Local)]
    [InlineData(null, false, KeepSide.Local)]
    public void Keep_parses_only_local_or_remote(string? text, bool ok, KeepSide expected)
    {
        Assert.Equal(ok, ConflictResolution.TryParseKeep(text, out var keep));
        if (ok) Assert.Equal(expected, keep);
    }

    private static FileEntry Key(VersionVector v, string fill) => new()
    {
        Root = "/etc/salt/pki/master", Path = RelativePath.Parse("master.pem"), Kind = EntryKind.File,
        Sha256 = new string(fill[0], 64), Size = 5, Mode = 0b100_000_000, Version = v, OriginNode = "a",
    };
}
