using System.Text;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using SaltHaGateway.Proxy.Sticky;

namespace SaltHaGateway.Proxy.Tests.Sticky;

public class StickyReplicationTests
{
    private const string Directive = "learn create=$upstream_http_x lookup=$http_x zone=z:1m timeout=10h sync";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));

    private StickyTables Node(out StickyTable table, string directive = Directive)
    {
        var tables = new StickyTables(_time, new StickyMetrics(new CollectorRegistry()));
        StickyOptions.TryParse(directive, out var o, out _);
        table = tables.For("saltapi", o!);
        return tables;
    }

    [Fact]
    public async Task A_new_peer_gets_every_binding_then_only_what_changed()
    {
        var a = Node(out var tableA);
        var b = Node(out var tableB);
        tableA.Learn(StickyTable.KeyOf("t1"), "m1:8090");
        tableA.Learn(StickyTable.KeyOf("t2"), "m2:8090");

        var first = await a.ReadChangesAsync(null, TimeSpan.Zero, default);
        Assert.Contains("\"full\":true", Encoding.UTF8.GetString(first));
        var cursor = b.Apply("node-a", first);
        Assert.Equal("m1:8090", tableB.Lookup(StickyTable.KeyOf("t1")));
        Assert.Equal("m2:8090", tableB.Lookup(StickyTable.KeyOf("t2")));

        _time.Advance(TimeSpan.FromSeconds(1));
        tableA.Learn(StickyTable.KeyOf("t3"), "m1:8090");
        var next = await a.ReadChangesAsync(cursor, TimeSpan.Zero, default);
        var text = Encoding.UTF8.GetString(next);
        Assert.Contains("\"full\":false", text);
        Assert.DoesNotContain(StickyTableKey("t1"), text);
        b.Apply("node-a", next);
        Assert.Equal("m1:8090", tableB.Lookup(StickyTable.KeyOf("t3")));
        Assert.DoesNotContain("t3", text); // the session value itself never leaves the node
    }

    [Fact]
    public async Task A_read_waits_for_a_change()
    {
        var a = Node(out var tableA);
        var cursor = Node(out _).Apply("node-a", await a.ReadChangesAsync(null, TimeSpan.Zero, default));
        var read = a.ReadChangesAsync(cursor, TimeSpan.FromSeconds(25), default);
        await Task.Yield();
        Assert.False(read.IsCompleted);
        tableA.Learn(StickyTable.KeyOf("t"), "m1:8090");
        var body = await read.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Contains(StickyTableKey("t"), Encoding.UTF8.GetString(body));
    }

    [Fact]
    public async Task A_cursor_from_another_run_of_the_peer_gets_a_full_snapshot()
    {
        var a = Node(out var tableA);
        tableA.Learn(StickyTable.KeyOf("t1"), "m1:8090");
        var body = await a.ReadChangesAsync("0123456789abcdef:42", TimeSpan.Zero, default);
        Assert.Contains("\"full\":true", Encoding.UTF8.GetString(body));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"cursor\":\"x\",\"upstreams\":{}}")]
    [InlineData("{\"cursor\":\"ab:1\",\"upstreams\":{\"saltapi\":[[\"zz\",\"m:1\",1,1]]}}")]
    [InlineData("{\"cursor\":\"ab:1\",\"upstreams\":{\"saltapi\":[[\"00000000000000000000000000000001\",\"m:1\",1]]}}")]
    public void Malformed_input_is_refused_whole(string json)
    {
        var b = Node(out var table);
        Assert.Throws<InvalidDataException>(() => b.Apply("node-a", Encoding.UTF8.GetBytes(json)));
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public async Task Tables_without_sync_are_not_shared()
    {
        var a = Node(out var table, "learn create=$upstream_http_x lookup=$http_x zone=z:1m");
        table.Learn(StickyTable.KeyOf("t1"), "m1:8090");
        var body = Encoding.UTF8.GetString(await a.ReadChangesAsync(null, TimeSpan.Zero, default));
        Assert.DoesNotContain("m1:8090", body);
    }

    private static string StickyTableKey(string value) => StickyTable.KeyOf(value).ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
}
