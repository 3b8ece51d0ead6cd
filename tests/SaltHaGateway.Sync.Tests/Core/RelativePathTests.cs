using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class RelativePathTests
{
    [Theory]
    [InlineData("/etc/passwd", "absolute")]
    [InlineData("../etc/passwd", "'..'")]
    [InlineData("a/../../b", "'..'")]
    [InlineData("a/./b", "'.'")]
    [InlineData("a//b", "empty")]
    [InlineData("a/", "empty")]
    [InlineData("a\\..\\b", "separator")]
    [InlineData("a\0b", "NUL")]
    public void Unsafe_paths_are_refused_with_a_reason(string text, string reason)
    {
        Assert.False(RelativePath.TryParse(text, out _, out var error));
        Assert.Contains(reason, error);
    }

    [Fact]
    public void Overlong_names_are_refused()
    {
        Assert.False(RelativePath.TryParse(new string('x', 256), out _, out _));
        Assert.True(RelativePath.TryParse(new string('x', 255), out _, out _));
    }

    [Fact]
    public void Valid_paths_expose_parent_name_and_depth()
    {
        var p = RelativePath.Parse("salt/web/init.sls");
        Assert.Equal("init.sls", p.Name);
        Assert.Equal("salt/web", p.Parent.Value);
        Assert.Equal(3, p.Depth);
        Assert.True(p.IsSameOrBelow(RelativePath.Parse("salt")));
        Assert.False(RelativePath.Parse("saltx/a").IsSameOrBelow(RelativePath.Parse("salt")));
        Assert.True(RelativePath.Parse("").IsRoot);
        Assert.Equal("..x", RelativePath.Parse("..x").Value); // a name that merely starts with dots is fine
    }

    [Fact]
    public void Append_refuses_unsafe_segments()
    {
        Assert.Throws<ArgumentException>(() => RelativePath.Root.Append(".."));
        Assert.Throws<ArgumentException>(() => RelativePath.Root.Append("a/b"));
    }
}
