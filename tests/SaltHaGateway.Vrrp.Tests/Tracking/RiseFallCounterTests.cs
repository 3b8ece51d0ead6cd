using SaltHaGateway.Vrrp.Tracking;

namespace SaltHaGateway.Vrrp.Tests.Tracking;

public sealed class RiseFallCounterTests
{
    [Fact]
    public void Goes_down_after_fall_failures_and_up_after_rise_successes()
    {
        var c = new RiseFallCounter(rise: 2, fall: 3, initiallyUp: true);
        Assert.False(c.Record(false));
        Assert.False(c.Record(false));
        Assert.True(c.Record(false));
        Assert.False(c.IsUp);
        Assert.False(c.Record(true));
        Assert.False(c.Record(false));
        Assert.False(c.Record(true));
        Assert.True(c.Record(true));
        Assert.True(c.IsUp);
    }
}

public sealed class TrackedConditionTests
{
    [Fact]
    public void Changed_fires_only_on_a_real_change()
    {
        var c = new TrackedCondition("listener", initiallyUp: false);
        int changes = 0;
        c.Changed += () => changes++;
        c.Set(false);
        c.Set(true);
        c.Set(true);
        c.Set(false);
        Assert.Equal(2, changes);
        Assert.False(c.IsUp);
        Assert.Equal("listener", c.Name);
    }
}
