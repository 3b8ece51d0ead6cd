using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Tests.Core;

/// <summary>vrrp_garp_interval / vrrp_gna_interval: the pacing of one burst, on a fake clock.</summary>
public sealed class AnnouncementBurstTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Without_an_interval_the_whole_burst_goes_out_at_once()
    {
        var sent = new List<int>();
        var task = AnnouncementBurst.Send([1, 2, 3], TimeSpan.Zero, sent.Add, _time, CancellationToken.None);
        Assert.True(task.IsCompleted);
        Assert.Equal([1, 2, 3], sent);
    }

    [Fact]
    public async Task The_first_goes_out_at_once_and_the_rest_no_closer_than_the_interval()
    {
        var start = _time.GetUtcNow();
        var sent = new ConcurrentQueue<(int Item, TimeSpan At)>();
        var task = AnnouncementBurst.Send([1, 2, 3], TimeSpan.FromMilliseconds(200), i => sent.Enqueue((i, _time.GetUtcNow() - start)), _time, CancellationToken.None);
        Assert.Equal([(1, TimeSpan.Zero)], sent);
        // Move the fake clock on in small steps until the burst is out; how fast the loop runs cannot make a send early.
        for (int step = 0; step < 2000 && !task.IsCompleted; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(10));
            await Task.Delay(1);
        }
        await task;
        var at = sent.Select(s => s.At).ToArray();
        Assert.Equal([1, 2, 3], sent.Select(s => s.Item));
        Assert.True(at[1] - at[0] >= TimeSpan.FromMilliseconds(200), string.Join(", ", at));
        Assert.True(at[2] - at[1] >= TimeSpan.FromMilliseconds(200), string.Join(", ", at));
    }

    [Fact]
    public async Task Stopping_cancels_the_rest_of_the_burst()
    {
        using var stop = new CancellationTokenSource();
        var sent = new ConcurrentQueue<int>();
        var task = AnnouncementBurst.Send([1, 2, 3], TimeSpan.FromSeconds(1), sent.Enqueue, _time, stop.Token);
        await stop.CancelAsync();
        _time.Advance(TimeSpan.FromSeconds(5));
        await task;
        Assert.Equal([1], sent);
    }
}
