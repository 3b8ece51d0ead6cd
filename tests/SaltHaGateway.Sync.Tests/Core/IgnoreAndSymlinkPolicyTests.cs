using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class IgnoreAndSymlinkPolicyTests
{
    [Theory]
    [InlineData(".top.sls.swp", true)]
    [InlineData("top.sls~", true)]
    [InlineData(".#top.sls", true)]
    [InlineData("4913", true)]
    [InlineData(".saltha-sync-staging", true)]
    [InlineData(".key_cache", true)]
    [InlineData("top.sls", false)]
    [InlineData("swp", false)]
    public void Editor_and_own_files_are_ignored(string name, bool ignored) =>
        Assert.Equal(ignored, new IgnoreRules([]).IsIgnoredName(name));

    [Fact]
    public void Ignored_directory_hides_its_subtree_and_extra_patterns_apply()
    {
        var rules = new IgnoreRules(["*.local"]);
        Assert.True(rules.IsIgnored(RelativePath.Parse(".saltha-sync-staging/x")));
        Assert.True(rules.IsIgnored(RelativePath.Parse("a/99-node.local")));
        Assert.False(rules.IsIgnored(RelativePath.Parse("a/b.sls")));
    }

    [Theory]
    [InlineData("a/link", "b", true)]
    [InlineData("a/link", "../b", true)]
    [InlineData("a/link", "../../b", false)]
    [InlineData("link", "..", false)]
    [InlineData("link", "/etc/shadow", false)]
    [InlineData("a/b/link", "../../c/./d", true)]
    public void Symlink_targets_must_stay_inside_the_root(string link, string target, bool inside) =>
        Assert.Equal(inside, SymlinkTargetPolicy.StaysInsideRoot(RelativePath.Parse(link), target));
}
