using Microsoft.Extensions.Time.Testing;

namespace SaltHaGateway.Proxy.Tests.Balancing;

public sealed class LeastConnTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Picks_the_server_with_fewest_active_requests()
    {
        var upstream = TestUpstreams.Create(_time, "least_conn", "a", "b", "c");
        upstream.All[0].Active.Count = 5;
        upstream.All[1].Active.Count = 1;
        upstream.All[2].Active.Count = 3;
        Assert.Equal("b", TestUpstreams.PickName(upstream, new Microsoft.AspNetCore.Http.DefaultHttpContext()));
    }

    [Fact]
    public void Ties_are_shared_round_robin()
    {
        var upstream = TestUpstreams.Create(_time, "least_conn", "a", "b");
        var picks = Enumerable.Range(0, 4).Select(_ => TestUpstreams.PickName(upstream, new Microsoft.AspNetCore.Http.DefaultHttpContext()));
        Assert.Equal(["a", "b", "a", "b"], picks);
    }
}
