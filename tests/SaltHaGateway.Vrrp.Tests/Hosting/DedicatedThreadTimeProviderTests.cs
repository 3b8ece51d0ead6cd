using SaltHaGateway.Vrrp.Hosting;

namespace SaltHaGateway.Vrrp.Tests.Hosting;

public sealed class DedicatedThreadTimeProviderTests
{
    [Fact]
    public async Task Timers_fire_on_the_dedicated_thread_and_changed_or_disposed_ones_do_not()
    {
        using var time = new DedicatedThreadTimeProvider();
        var fired = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        int stale = 0;
        using var cancelled = time.CreateTimer(_ => Interlocked.Increment(ref stale), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        cancelled.Dispose();
        using var moved = time.CreateTimer(_ => Interlocked.Increment(ref stale), null, TimeSpan.FromMilliseconds(20), Timeout.InfiniteTimeSpan);
        moved.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        using var timer = time.CreateTimer(_ => fired.TrySetResult(Thread.CurrentThread.Name ?? ""), null, TimeSpan.FromMilliseconds(100), Timeout.InfiniteTimeSpan);
        var name = await fired.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("vrrp-timers", name);
        Assert.Equal(0, stale);
    }

    [Fact]
    public async Task Periodic_timer_repeats()
    {
        using var time = new DedicatedThreadTimeProvider();
        int count = 0;
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timer = time.CreateTimer(_ => { if (Interlocked.Increment(ref count) == 3) three.TrySetResult(); }, null, TimeSpan.Zero, TimeSpan.FromMilliseconds(10));
        await three.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }
}
