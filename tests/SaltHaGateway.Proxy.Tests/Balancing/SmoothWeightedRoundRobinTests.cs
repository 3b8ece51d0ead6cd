using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Balancing;

public sealed class SmoothWeightedRoundRobinTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Equal_weights_alternate_like_nginx_round_robin()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", "a", "b");
        var picks = Enumerable.Range(0, 6).Select(_ => TestUpstreams.PickName(upstream, new Microsoft.AspNetCore.Http.DefaultHttpContext()));
        Assert.Equal(["a", "b", "a", "b", "a", "b"], picks);
    }

    [Fact]
    public void Weights_five_one_one_give_nginx_smooth_sequence()
    {
        // The sequence nginx documents for weights 5,1,1 (ngx_http_upstream_round_robin.c): a a b a c a a.
        var upstream = TestUpstreams.Create(_time, "round_robin",
            ("a", new ServerOptions { Weight = 5 }), ("b", ServerOptions.Default), ("c", ServerOptions.Default));
        var picks = Enumerable.Range(0, 7).Select(_ => TestUpstreams.PickName(upstream, new Microsoft.AspNetCore.Http.DefaultHttpContext()));
        Assert.Equal(["a", "a", "b", "a", "c", "a", "a"], picks);
    }

    [Fact]
    public void Distribution_follows_weights_over_many_requests()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin",
            ("a", new ServerOptions { Weight = 3 }), ("b", new ServerOptions { Weight = 1 }));
        var counts = Enumerable.Range(0, 400).Select(_ => TestUpstreams.PickName(upstream, new Microsoft.AspNetCore.Http.DefaultHttpContext()))
            .GroupBy(n => n).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(300, counts["a"]);
        Assert.Equal(100, counts["b"]);
    }
}
