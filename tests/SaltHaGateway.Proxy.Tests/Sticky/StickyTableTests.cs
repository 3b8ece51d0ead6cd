using System.Text;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Sticky;

namespace SaltHaGateway.Proxy.Tests.Sticky;

public class StickyTableTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private StickyTable Table(string directive = "learn create=$upstream_http_x lookup=$http_x zone=z:1k timeout=10m sync",
        Action<StickyTable, UInt128>? publish = null)
    {
        Assert.True(StickyOptions.TryParse(directive, out var o, out var e), e);
        return new StickyTable("saltapi", o!, _time, publish);
    }

    private static UInt128 Key(string token) => StickyTable.KeyOf(token);

    [Fact]
    public void A_learned_binding_is_found_and_its_idle_timeout_is_refreshed_by_use()
    {
        var table = Table();
        table.Learn(Key("t1"), "10.0.0.1:8090");
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal("10.0.0.1:8090", table.Lookup(Key("t1")));
        _time.Advance(TimeSpan.FromMinutes(9)); // 18 min after learning, 9 after the last use
        Assert.Equal("10.0.0.1:8090", table.Lookup(Key("t1")));
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(table.Lookup(Key("t1")));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void A_full_zone_evicts_the_least_recently_used_binding_and_counts_it()
    {
        var table = Table(); // 1k zone: 4 bindings
        for (var i = 0; i < 4; i++) table.Learn(Key("t" + i), "a:1");
        table.Lookup(Key("t0")); // t1 is now the least recently used
        table.Learn(Key("t4"), "a:1");
        Assert.Equal(4, table.Count);
        Assert.Null(table.Lookup(Key("t1")));
        Assert.NotNull(table.Lookup(Key("t0")));
        Assert.Equal(1, table.Counters.Evictions);
        Assert.Equal(5, table.Counters.Learned);
    }

    [Fact]
    public void A_binding_from_a_peer_that_is_older_never_overrides_a_newer_one()
    {
        var table = Table();
        var learnedEarlier = _time.GetUtcNow().ToUnixTimeMilliseconds();
        _time.Advance(TimeSpan.FromSeconds(5));
        table.Learn(Key("t"), "b:1");
        table.Merge(Key("t"), "a:1", learnedEarlier, learnedEarlier);
        Assert.Equal("b:1", table.Lookup(Key("t")));

        var later = _time.GetUtcNow().ToUnixTimeMilliseconds() + 1;
        table.Merge(Key("t"), "a:1", later, later);
        Assert.Equal("a:1", table.Lookup(Key("t")));
    }

    [Fact]
    public void An_expired_binding_from_a_peer_is_not_taken()
    {
        var table = Table();
        var old = _time.GetUtcNow().AddMinutes(-11).ToUnixTimeMilliseconds();
        table.Merge(Key("t"), "a:1", old, old);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void Learning_publishes_and_use_is_republished_only_now_and_then()
    {
        var published = 0;
        var table = Table(publish: (_, _) => published++);
        table.Learn(Key("t"), "a:1");
        Assert.Equal(1, published);
        table.Lookup(Key("t"));
        table.Learn(Key("t"), "a:1"); // the same session again from the same server: nothing new
        Assert.Equal(1, published);
        _time.Advance(TimeSpan.FromSeconds(31)); // a twentieth of the 10 min timeout
        table.Lookup(Key("t"));
        Assert.Equal(2, published);
    }

    [Fact]
    public void Without_sync_nothing_is_published()
    {
        var published = 0;
        var table = Table("learn create=$upstream_http_x lookup=$http_x zone=z:1k", (_, _) => published++);
        table.Learn(Key("t"), "a:1");
        Assert.Equal(0, published);
    }

    [Fact]
    public void Session_values_are_kept_only_as_hashes()
    {
        Assert.Equal(Key("token-1"), Key("token-1"));
        Assert.NotEqual(Key("token-1"), Key("token-2"));
        var longValue = new string('x', 5000);
        Assert.Equal(Key(longValue), StickyTable.KeyOf(Encoding.ASCII.GetString(Encoding.ASCII.GetBytes(longValue))));
    }
}
