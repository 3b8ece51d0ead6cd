using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync;

public static class ConfigSyncEndpoints
{
    /// <summary>GET /sync/status (JSON): per root in-sync/pending/conflict/paused, per peer connection and progress.</summary>
    public static IEndpointConventionBuilder MapConfigSyncStatus(this IEndpointRouteBuilder e) =>
        e.MapGet("/sync/status", (HttpContext ctx) =>
        {
            var engine = ctx.RequestServices.GetService<SyncEngine>();
            var status = engine?.GetStatus() ?? new SyncStatus(false, null, null, true, 0, [], [], []);
            return Results.Json(status, StatusJson.Context.SyncStatus);
        });

    /// <summary>GET /sync/conflicts: newest first, open and closed.</summary>
    public static IEndpointConventionBuilder MapConfigSyncConflicts(this IEndpointRouteBuilder e) =>
        e.MapGet("/sync/conflicts", (HttpContext ctx, int? limit) =>
        {
            var engine = ctx.RequestServices.GetService<SyncEngine>();
            return Results.Json(engine?.ListConflicts(limit ?? 200) ?? [], StatusJson.Context.IReadOnlyListConflictRecord);
        });

    /// <summary>
    /// POST /sync/conflicts/{id}/resolve?keep=local|remote: keep one side of an open conflict. It rewrites master keys
    /// on every master, so the host serves it only where a caller must already be root (the control socket).
    /// </summary>
    public static IEndpointConventionBuilder MapConfigSyncResolve(this IEndpointRouteBuilder e) =>
        e.MapPost("/sync/conflicts/{id:long}/resolve", async (HttpContext ctx, long id, string? keep) =>
        {
            if (!ConflictResolution.TryParseKeep(keep, out var side))
                return Error(StatusCodes.Status400BadRequest, $"query parameter keep must be 'local' or 'remote', not '{keep}'");
            if (ctx.RequestServices.GetService<SyncEngine>() is not { } engine)
                return Error(StatusCodes.Status404NotFound, "config sync is not enabled");
            var result = await engine.ResolveConflictAsync(id, side, ctx.RequestAborted).ConfigureAwait(false);
            var code = result.Status switch
            {
                ResolveStatus.Resolved => StatusCodes.Status200OK,
                ResolveStatus.NotFound => StatusCodes.Status404NotFound,
                ResolveStatus.Refused => StatusCodes.Status409Conflict,
                ResolveStatus.Unavailable => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            };
            return Results.Json(new ResolveResponse(
                result.Status.ToString().ToLowerInvariant(),
                result.Message,
                result.Conflict,
                result.Entry?.Version.ToString(),
                result.Entry?.Sequence,
                result.AlsoClosed), StatusJson.Context.ResolveResponse, statusCode: code);
        });

    private static IResult Error(int code, string message) =>
        Results.Json(new RefusedResponse("refused", message), StatusJson.Context.RefusedResponse, statusCode: code);
}

/// <summary>Body of POST /sync/conflicts/{id}/resolve.</summary>
internal sealed record ResolveResponse(string Result, string Message, ConflictRecord? Conflict, string? Version, long? Sequence, IReadOnlyList<long> AlsoClosed);

/// <summary>Body of a refused resolve.</summary>
internal sealed record RefusedResponse(string Result, string Message);

internal static class StatusJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>The admin endpoints' JSON (web naming, indented), generated at compile time: the gateway is compiled
    /// ahead of time and serializes without reflection.</summary>
    public static readonly StatusJsonContext Context = new(new System.Text.Json.JsonSerializerOptions(Options));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(SyncStatus))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<ConflictRecord>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(ResolveResponse))]
[System.Text.Json.Serialization.JsonSerializable(typeof(RefusedResponse))]
internal sealed partial class StatusJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
