using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Tests.Core;

public sealed class EffectivePriorityTests
{
    [Fact]
    public void Weights_apply_like_keepalived()
    {
        Assert.Equal(((byte)150, false), EffectivePriority.Compute(100, [(50, true)]));
        Assert.Equal(((byte)100, false), EffectivePriority.Compute(100, [(50, false)]));
        Assert.Equal(((byte)50, false), EffectivePriority.Compute(100, [(-50, false)]));
        Assert.Equal(((byte)100, false), EffectivePriority.Compute(100, [(-50, true)]));
    }

    [Fact]
    public void Result_is_clamped_and_owner_is_never_adjusted()
    {
        Assert.Equal(((byte)254, false), EffectivePriority.Compute(200, [(100, true)]));
        Assert.Equal(((byte)1, false), EffectivePriority.Compute(20, [(-100, false)]));
        Assert.Equal(((byte)255, false), EffectivePriority.Compute(255, [(-100, false)]));
    }

    [Fact]
    public void Weight_zero_down_means_fault()
    {
        Assert.True(EffectivePriority.Compute(100, [(0, false), (10, true)]).Faulted);
        Assert.False(EffectivePriority.Compute(100, [(0, true)]).Faulted);
    }
}
