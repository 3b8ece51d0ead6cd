using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Balancing;

public sealed class KeyHashTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Same_key_same_server_and_a_down_pick_is_rehashed()
    {
        var upstream = TestUpstreams.Create(_time, "hash $http_x_auth_token", "a", "b", "c");
        var withDown = TestUpstreams.Create(_time, "hash $http_x_auth_token",
            ("a", ServerOptions.Default), ("b", new ServerOptions { Down = true }), ("c", ServerOptions.Default));
        for (var i = 0; i < 100; i++)
        {
            var client = TestUpstreams.Client("127.0.0.1", $"token{i}");
            var pick = TestUpstreams.PickName(upstream, client);
            Assert.Equal(pick, TestUpstreams.PickName(upstream, client));
            var rehashed = TestUpstreams.PickName(withDown, client);
            Assert.NotEqual("b", rehashed);
            if (pick != "b") Assert.Equal(pick, rehashed);
        }
    }

    [Fact]
    public void Cache_memcached_compatible_hash_for_a_known_key()
    {
        // crc32("abc") = 0x352441c2; (0x352441c2 >> 16) & 0x7fff = 0x3524 = 13604; 13604 % 3 = 2 -> third server.
        var upstream = TestUpstreams.Create(_time, "hash $http_x_auth_token", "a", "b", "c");
        Assert.Equal("c", TestUpstreams.PickName(upstream, TestUpstreams.Client("127.0.0.1", "abc")));
    }
}
