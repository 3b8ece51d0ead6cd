using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Balancing;

public sealed class IpHashTests
{
    private readonly FakeTimeProvider _time = new();

    /// <summary>
    /// Recorded from nginx 1.22.1 with <c>upstream three { ip_hash; server s1; server s2 weight=2; server s3; }</c>,
    /// one curl per client address bound with --interface on loopback. The integration tests repeat this live.
    /// </summary>
    [Theory]
    [InlineData("127.0.0.1", "s1")]
    [InlineData("127.0.1.1", "s2")]
    [InlineData("127.0.2.1", "s2")]
    [InlineData("127.1.0.1", "s2")]
    [InlineData("127.1.2.3", "s3")]
    [InlineData("127.2.3.4", "s2")]
    [InlineData("127.10.20.30", "s2")]
    [InlineData("127.100.200.1", "s2")]
    [InlineData("127.255.0.1", "s1")]
    [InlineData("127.42.42.42", "s2")]
    [InlineData("127.7.8.9", "s3")]
    [InlineData("127.200.100.50", "s1")]
    public void Picks_the_server_nginx_picks(string client, string expected)
    {
        var upstream = TestUpstreams.Create(_time, "ip_hash",
            ("s1", ServerOptions.Default), ("s2", new ServerOptions { Weight = 2 }), ("s3", ServerOptions.Default));
        Assert.Equal(expected, TestUpstreams.PickName(upstream, TestUpstreams.Client(client)));
    }

    [Fact]
    public void Only_the_first_three_octets_count()
    {
        var upstream = TestUpstreams.Create(_time, "ip_hash", "s1", "s2", "s3");
        var first = TestUpstreams.PickName(upstream, TestUpstreams.Client("127.9.9.1"));
        for (var last = 2; last < 255; last += 17)
            Assert.Equal(first, TestUpstreams.PickName(upstream, TestUpstreams.Client($"127.9.9.{last}")));
    }

    [Fact]
    public void Ipv4_mapped_ipv6_clients_hash_as_ipv4()
    {
        var upstream = TestUpstreams.Create(_time, "ip_hash", "s1", "s2", "s3");
        Assert.Equal(TestUpstreams.PickName(upstream, TestUpstreams.Client("127.1.2.3")),
            TestUpstreams.PickName(upstream, TestUpstreams.Client("::ffff:127.1.2.3")));
    }

    [Fact]
    public void A_down_pick_is_rehashed_and_other_clients_keep_their_server()
    {
        var all = TestUpstreams.Create(_time, "ip_hash", "s1", "s2", "s3");
        var withDown = TestUpstreams.Create(_time, "ip_hash",
            ("s1", ServerOptions.Default), ("s2", new ServerOptions { Down = true }), ("s3", ServerOptions.Default));
        var moved = 0;
        for (var i = 0; i < 200; i++)
        {
            var client = TestUpstreams.Client($"127.{i}.{i * 7 % 256}.1");
            var before = TestUpstreams.PickName(all, client);
            var after = TestUpstreams.PickName(withDown, client);
            Assert.NotEqual("s2", after);
            if (before != "s2") Assert.Equal(before, after);
            else moved++;
        }
        Assert.True(moved > 0);
    }
}
