using System.Text.Json.Serialization;

namespace SaltHaGateway.Sync.Transport;

/// <summary>Peer protocol messages (JSON over HTTPS with mutual TLS). Versioned by <see cref="HelloResponse.Protocol"/>.</summary>
public sealed record HelloResponse(int Protocol, string NodeId, string IndexId, long MaxSequence, string[] Roots);

public sealed record WireEntry(
    string Root, string Path, int Kind, bool Deleted, string? Sha256, long Size, int Mode, int Uid, int Gid, long MtimeNs,
    string? LinkTarget, string Version, string OriginNode, long OriginTimeNs, long Seq,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Data = null);

/// <summary>
/// Entries above the requested sequence. <see cref="Next"/> is the highest sequence examined: entries
/// the asking peer already has are skipped, and it still moves past them.
/// </summary>
public sealed record ChangesResponse(string IndexId, long Next, long MaxSequence, List<WireEntry> Entries);

/// <summary>
/// A member that is missing or JSON null where the record does not allow null is a <see cref="System.Text.Json.JsonException"/>,
/// like any other malformed body, instead of a null that the link would trip over later.
/// </summary>
[JsonSerializable(typeof(HelloResponse))]
[JsonSerializable(typeof(ChangesResponse))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    RespectNullableAnnotations = true, RespectRequiredConstructorParameters = true)]
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>What a peer's message must hold beyond what deserializing checks.</summary>
internal static class WireChecks
{
    public static HelloResponse Hello(HelloResponse? hello) => hello ?? throw new InvalidDataException("empty hello");

    /// <summary>A list element is not covered by nullable annotations: an entry that is JSON null refuses the whole page.</summary>
    public static ChangesResponse Changes(ChangesResponse? response)
    {
        if (response is null) throw new InvalidDataException("empty changes response");
        if (response.Entries.Contains(null!)) throw new InvalidDataException("changes response with a null entry");
        return response;
    }
}

public static class SyncProtocol
{
    public const int Version = 1;
    public const string HelloPath = "/sync/v1/hello";
    /// <summary>The peer gateway's own summary (VRRP, upstreams, maintenance), opaque JSON that the host provides.</summary>
    public const string NodeStatusPath = "/sync/v1/node-status";
    public const string ChangesPath = "/sync/v1/changes";
    public const string ContentPath = "/sync/v1/content";
    /// <summary>Followed by /NAME: an <see cref="IPeerChannel"/>'s stream.</summary>
    public const string ChannelPath = "/sync/v1/channel";
    public const int InlineMaxBytes = 256 * 1024;
    public const int InlineBudgetBytes = 8 * 1024 * 1024;
}
