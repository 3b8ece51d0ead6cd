using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Upstreams;

public sealed class UpstreamTests
{
    private readonly FakeTimeProvider _time = new();
    private static HttpContext Request() => new DefaultHttpContext();

    [Fact]
    public void Backup_is_used_only_when_no_primary_is_available()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin",
            ("a", ServerOptions.Default), ("b", ServerOptions.Default), ("spare", new ServerOptions { Backup = true }));
        Assert.DoesNotContain("spare", Enumerable.Range(0, 10).Select(_ => TestUpstreams.PickName(upstream, Request())));
        upstream.RecordFailure(upstream.All[0]);
        upstream.RecordFailure(upstream.All[1]);
        Assert.Equal("spare", TestUpstreams.PickName(upstream, Request()));
    }

    [Fact]
    public void Down_server_never_gets_traffic()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", ("a", new ServerOptions { Down = true }), ("b", ServerOptions.Default));
        Assert.All(Enumerable.Range(0, 5), _ => Assert.Equal("b", TestUpstreams.PickName(upstream, Request())));
    }

    [Fact]
    public void Max_fails_disables_a_server_for_fail_timeout_then_it_gets_one_try()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin",
            ("a", new ServerOptions { MaxFails = 2, FailTimeout = TimeSpan.FromSeconds(10) }), ("b", ServerOptions.Default));
        var a = upstream.All[0];
        Assert.False(upstream.RecordFailure(a));
        Assert.True(upstream.IsUsable(a));
        Assert.True(upstream.RecordFailure(a));
        Assert.False(upstream.IsUsable(a));
        Assert.All(Enumerable.Range(0, 4), _ => Assert.Equal("b", TestUpstreams.PickName(upstream, Request())));

        _time.Advance(TimeSpan.FromSeconds(10.5));
        Assert.True(upstream.IsUsable(a));
        // The probe request after fail_timeout succeeds: failures are forgotten.
        var picks = Enumerable.Range(0, 4).Select(_ => upstream.Pick(Request(), null)!).ToList();
        Assert.Contains(a, picks);
        upstream.RecordSuccess(a);
        Assert.Equal(0, a.Fails);
    }

    [Fact]
    public void A_failed_retry_after_fail_timeout_disables_again_at_once()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", ("a", ServerOptions.Default), ("b", ServerOptions.Default));
        var a = upstream.All[0];
        upstream.RecordFailure(a);
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.True(upstream.IsUsable(a));
        upstream.RecordFailure(a);
        Assert.False(upstream.IsUsable(a));
    }

    [Fact]
    public void Max_fails_zero_never_disables()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", ("a", new ServerOptions { MaxFails = 0 }), ("b", ServerOptions.Default));
        for (var i = 0; i < 10; i++) upstream.RecordFailure(upstream.All[0]);
        Assert.True(upstream.IsUsable(upstream.All[0]));
    }

    [Fact]
    public void No_usable_server_gives_none_and_forgets_failures_like_nginx()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", "a", "b");
        upstream.RecordFailure(upstream.All[0]);
        upstream.RecordFailure(upstream.All[1]);
        Assert.Null(upstream.Pick(Request(), null));
        // nginx resets the failure counters so the next request tries the servers again.
        Assert.NotNull(upstream.Pick(Request(), null));
    }

    [Fact]
    public void Tried_servers_are_skipped_by_every_method()
    {
        foreach (var method in new[] { "round_robin", "ip_hash", "hash $remote_addr", "hash $remote_addr consistent", "least_conn" })
        {
            var upstream = TestUpstreams.Create(_time, method, "10.0.0.1:1", "10.0.0.2:1");
            var context = TestUpstreams.Client("127.3.4.5");
            var first = upstream.Pick(context, null)!;
            var tried = new bool[2];
            tried[first.Index] = true;
            var second = upstream.Pick(context, tried);
            Assert.NotNull(second);
            Assert.NotEqual(first, second);
            tried[second!.Index] = true;
            Assert.Null(upstream.Pick(context, tried));
        }
    }

    [Fact]
    public void Checked_down_server_is_skipped()
    {
        var upstream = TestUpstreams.Create(_time, "ip_hash", "a", "b");
        upstream.All[0].CheckDown = true;
        Assert.All(Enumerable.Range(0, 20), i => Assert.Equal("b", TestUpstreams.PickName(upstream, TestUpstreams.Client($"127.{i}.1.1"))));
    }

    [Fact]
    public void Tries_are_bounded_by_servers_unless_configured()
    {
        var upstream = TestUpstreams.Create(_time, "round_robin", "a", "b", "c");
        Assert.Equal(3, upstream.MaxTries);
    }
}
