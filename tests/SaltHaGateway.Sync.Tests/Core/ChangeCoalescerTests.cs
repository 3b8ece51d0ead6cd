using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Tests.Core;

public sealed class ChangeCoalescerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_burst_of_writes_to_one_path_becomes_one_due_item_after_the_quiet_time()
    {
        var c = new ChangeCoalescer<string>(_time, TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(1));
        for (int i = 0; i < 10; i++)
        {
            c.Touch("top.sls");
            _time.Advance(TimeSpan.FromMilliseconds(10));
            Assert.Empty(c.TakeDue());
        }
        _time.Advance(TimeSpan.FromMilliseconds(40));
        Assert.Equal(["top.sls"], c.TakeDue());
        Assert.Empty(c.TakeDue());
        Assert.Null(c.UntilNextDue());
    }

    [Fact]
    public void A_path_written_continuously_is_still_examined_after_the_maximum_delay()
    {
        var c = new ChangeCoalescer<string>(_time, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300));
        c.Touch("busy");
        for (int i = 0; i < 5; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(50));
            c.Touch("busy");
        }
        _time.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(["busy"], c.TakeDue());
    }

    [Fact]
    public void Until_next_due_reports_the_earliest_deadline()
    {
        var c = new ChangeCoalescer<string>(_time, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1));
        c.Touch("x");
        _time.Advance(TimeSpan.FromMilliseconds(30));
        c.Touch("y");
        Assert.Equal(TimeSpan.FromMilliseconds(70), c.UntilNextDue());
        _time.Advance(TimeSpan.FromMilliseconds(70));
        Assert.Equal(["x"], c.TakeDue());
        Assert.Equal(1, c.Count);
    }
}
