using System.Text.Json;
using System.Text.Json.Serialization;
using SaltHaGateway.Maintenance;

namespace SaltHaGateway.Admin;

/// <summary>{"error": …}: a refused or bad admin request.</summary>
public sealed record ErrorBody(string Error);

/// <summary>Body of POST /maintenance/on|off.</summary>
public sealed record MaintenanceResult(bool Ok, string Message, MaintenanceState Maintenance);

/// <summary>
/// The host's own JSON, generated at compile time: the release build is compiled ahead of time (NativeAOT) and has
/// no reflection-based serializer. <see cref="Indented"/> is what the status endpoints write (camelCase, indented);
/// <see cref="Compact"/> is ASP.NET Core's default (camelCase, one line). Values typed <c>object</c> (the sticky
/// status rows, /readyz data) must be of a type listed here.
/// </summary>
[JsonSerializable(typeof(PairStatus))]
[JsonSerializable(typeof(NodeSummary))]
[JsonSerializable(typeof(UiSummary))]
[JsonSerializable(typeof(MaintenanceState))]
[JsonSerializable(typeof(MaintenanceResult))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(List<Dictionary<string, object?>>))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(double))]
[JsonSerializable(typeof(DateTimeOffset))]
internal sealed partial class AdminJsonContext : JsonSerializerContext
{
    public static readonly AdminJsonContext Indented = new(new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
    public static readonly AdminJsonContext Compact = new(new JsonSerializerOptions(JsonSerializerDefaults.Web));
}
