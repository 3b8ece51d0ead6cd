using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class VersionVectorTests
{
    [Fact]
    public void Increment_and_compare_follow_causality()
    {
        var a1 = VersionVector.Empty.Increment("a");
        var a2 = a1.Increment("a");
        var a1b1 = a1.Increment("b");

        Assert.Equal(VersionOrder.Equal, a1.Compare(VersionVector.Parse("a:1")));
        Assert.Equal(VersionOrder.Dominates, a2.Compare(a1));
        Assert.Equal(VersionOrder.DominatedBy, a1.Compare(a1b1));
        Assert.Equal(VersionOrder.Concurrent, a2.Compare(a1b1));
        Assert.Equal(VersionOrder.Dominates, a1.Compare(VersionVector.Empty));
    }

    [Fact]
    public void Merge_is_the_elementwise_maximum_and_dominates_both()
    {
        var x = VersionVector.Parse("a:3,b:1");
        var y = VersionVector.Parse("b:4,c:2");
        var m = x.Merge(y);
        Assert.Equal("a:3,b:4,c:2", m.ToString());
        Assert.Equal(VersionOrder.Dominates, m.Compare(x));
        Assert.Equal(VersionOrder.Dominates, m.Compare(y));
        Assert.Equal(m, y.Merge(x));
    }

    [Fact]
    public void Text_form_is_canonical_and_round_trips()
    {
        var v = VersionVector.Parse("z:2,a:7");
        Assert.Equal("a:7,z:2", v.ToString());
        Assert.Equal(v, VersionVector.Parse(v.ToString()));
        Assert.Equal("", VersionVector.Empty.ToString());
    }

    [Theory]
    [InlineData("a")]
    [InlineData("a:0")]
    [InlineData("a:-1")]
    [InlineData("A:1")]
    [InlineData("a:1,a:2")]
    [InlineData("a b:1")]
    [InlineData(":1")]
    public void Malformed_vectors_are_rejected(string text)
    {
        Assert.False(VersionVector.TryParse(text, out _, out var error));
        Assert.NotEmpty(error);
    }
}
