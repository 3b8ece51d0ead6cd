using System.Text;
using System.Text.Json;
using SaltHaGateway.Sync.Transport;

namespace SaltHaGateway.Sync.Tests.Transport;

/// <summary>A peer's message with a member missing or null is malformed (the link's JsonException), never a null inside.</summary>
public sealed class WireMessagesTests
{
    private const string Entry =
        "{\"root\":\"salt\",\"path\":\"top.sls\",\"kind\":2,\"deleted\":false,\"sha256\":null,\"size\":0,\"mode\":493,\"uid\":0,\"gid\":0," +
        "\"mtimeNs\":0,\"linkTarget\":null,\"version\":\"node-a:1\",\"originNode\":\"node-a\",\"originTimeNs\":1,\"seq\":5}";

    private static T? Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(Encoding.UTF8.GetBytes(json), type);

    [Theory]
    [InlineData("{\"protocol\":1,\"nodeId\":\"node-b\",\"indexId\":\"i\",\"maxSequence\":1}")]
    [InlineData("{\"protocol\":1,\"nodeId\":\"node-b\",\"indexId\":\"i\",\"maxSequence\":1,\"roots\":null}")]
    [InlineData("{\"protocol\":1,\"nodeId\":null,\"indexId\":\"i\",\"maxSequence\":1,\"roots\":[]}")]
    public void A_hello_without_roots_or_node_is_malformed(string json) =>
        Assert.Throws<JsonException>(() => Read(json, WireJsonContext.Default.HelloResponse));

    [Theory]
    [InlineData("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1}")]
    [InlineData("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1,\"entries\":null}")]
    [InlineData("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1,\"entries\":[" + Entry + "]}", "\"path\":\"top.sls\"", "\"path\":null")]
    [InlineData("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1,\"entries\":[" + Entry + "]}", "\"version\":\"node-a:1\",", "")]
    public void A_page_without_entries_or_with_an_incomplete_entry_is_malformed(string json, string? replace = null, string? with = null) =>
        Assert.Throws<JsonException>(() => Read(replace is null ? json : json.Replace(replace, with), WireJsonContext.Default.ChangesResponse));

    [Fact]
    public void A_page_with_a_null_entry_is_refused_whole()
    {
        var page = Read("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1,\"entries\":[" + Entry + ",null]}", WireJsonContext.Default.ChangesResponse);
        Assert.Throws<InvalidDataException>(() => WireChecks.Changes(page));
    }

    [Fact]
    public void An_entry_without_inline_data_is_complete()
    {
        var page = WireChecks.Changes(Read("{\"indexId\":\"i\",\"next\":1,\"maxSequence\":1,\"entries\":[" + Entry + "]}",
            WireJsonContext.Default.ChangesResponse));
        var entry = Assert.Single(page.Entries);
        Assert.Null(entry.Data);
        Assert.True(WireEntryParser.TryParse(entry, ["salt"], out var change, out var error), error);
        Assert.Equal(5, change!.Entry.Sequence);
    }
}
