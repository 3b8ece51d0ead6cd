using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Tests.Core;

/// <summary>keepalived 2.2.7's arithmetic for weights, reverse and track_file values.</summary>
public sealed class TrackContributionTests
{
    [Theory]
    [InlineData(0, false, true, 0, false)]
    [InlineData(0, false, false, 0, true)]     // weight 0: down is a fault
    [InlineData(0, true, true, 0, true)]       // reverse: up is a fault
    [InlineData(0, true, false, 0, false)]
    [InlineData(10, false, true, 10, false)]   // positive: added while up
    [InlineData(10, false, false, 0, false)]
    [InlineData(-10, false, false, -10, false)] // negative: added while down
    [InlineData(-10, false, true, 0, false)]
    [InlineData(10, true, true, -10, false)]   // reverse flips the sign
    [InlineData(-10, true, false, 10, false)]
    public void Up_down_items(int weight, bool reverse, bool up, int delta, bool fault) =>
        Assert.Equal((delta, fault), TrackContribution.OfState(weight, reverse, up));

    [Theory]
    [InlineData(0, false, 0, 0, false)]
    [InlineData(0, false, 7, 0, true)]         // weight 0: non-zero is a fault
    [InlineData(0, true, 0, 0, true)]          // reverse: zero is a fault
    [InlineData(1, false, -20, -20, false)]    // value × weight
    [InlineData(5, false, 10, 50, false)]
    [InlineData(-2, true, 10, 20, false)]      // × −1 with reverse
    [InlineData(1, false, 300, 253, false)]    // clamped to 253
    [InlineData(1, false, -253, -253, false)]
    [InlineData(1, false, -254, 0, true)]      // −254 or less is a fault
    [InlineData(254, false, -1, 0, true)]
    public void Track_file_values(int weight, bool reverse, long value, int delta, bool fault) =>
        Assert.Equal((delta, fault), TrackContribution.OfValue(weight, reverse, value));

    [Fact]
    public void Effective_priority_adds_deltas_clamps_and_never_moves_an_owner()
    {
        Assert.Equal(((byte)130, false), EffectivePriority.Combine(100, [(50, false), (-20, false)]));
        Assert.Equal(((byte)1, true), EffectivePriority.Combine(100, [(-200, false), (0, true)]));
        Assert.Equal(((byte)254, false), EffectivePriority.Combine(200, [(100, false)]));
        Assert.Equal(((byte)255, false), EffectivePriority.Combine(255, [(-100, false)]));
    }
}
