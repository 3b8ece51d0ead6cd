using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Balancing;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Balancing;

public sealed class ConsistentHashTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Removing_a_server_moves_only_the_keys_that_were_on_it()
    {
        var three = ConsistentHash.BuildRing([("10.0.0.1:8090", 1), ("10.0.0.2:8090", 1), ("10.0.0.3:8090", 1)]);
        var two = ConsistentHash.BuildRing([("10.0.0.1:8090", 1), ("10.0.0.3:8090", 1)]);
        NginxVariableExpression.TryParse("$http_x_auth_token", out var key, out _);
        var servers = (string[] names) => names.Select((n, i) => new SaltHaGateway.Proxy.Upstreams.UpstreamServer(i, n, n, ServerOptions.Default, new Yarp.ReverseProxy.Model.DestinationState(n))).ToArray();
        var before = new ConsistentHash(key!, servers(["10.0.0.1:8090", "10.0.0.2:8090", "10.0.0.3:8090"]));
        var after = new ConsistentHash(key!, servers(["10.0.0.1:8090", "10.0.0.3:8090"]));
        var moved = 0;
        for (var i = 0; i < 2000; i++)
        {
            var token = $"token-{i}";
            var b = before.Lookup(token);
            var a = after.Lookup(token);
            if (b == "10.0.0.2:8090") { moved++; Assert.NotEqual("10.0.0.2:8090", a); }
            else Assert.Equal(b, a);
        }
        // Roughly a third of the keys lived on the removed server; all of them, and only them, moved.
        Assert.InRange(moved, 400, 950);
        Assert.Equal(3 * 160, three.Length);
        Assert.Equal(2 * 160, two.Length);
    }

    [Fact]
    public void Same_token_always_reaches_the_same_master()
    {
        var upstream = TestUpstreams.Create(_time, "hash $http_x_auth_token consistent", "10.0.0.1:8090", "10.0.0.2:8090");
        var first = TestUpstreams.PickName(upstream, TestUpstreams.Client("127.0.0.1", "abc123"));
        for (var i = 0; i < 20; i++)
            Assert.Equal(first, TestUpstreams.PickName(upstream, TestUpstreams.Client($"127.0.0.{i + 2}", "abc123")));
    }

    [Fact]
    public void Keys_spread_over_both_servers()
    {
        var upstream = TestUpstreams.Create(_time, "hash $http_x_auth_token consistent", "10.0.0.1:8090", "10.0.0.2:8090");
        var seen = Enumerable.Range(0, 200).Select(i => TestUpstreams.PickName(upstream, TestUpstreams.Client("127.0.0.1", $"t{i}"))).Distinct().Count();
        Assert.Equal(2, seen);
    }
}
