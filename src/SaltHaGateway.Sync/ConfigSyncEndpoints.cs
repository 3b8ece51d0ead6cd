using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Sync.Hosting;

namespace SaltHaGateway.Sync;

public static class ConfigSyncEndpoints
{
    /// <summary>GET /sync/status (JSON): per root in-sync/pending/conflict/paused, per peer connection and progress.</summary>
    public static IEndpointConventionBuilder MapConfigSyncStatus(this IEndpointRouteBuilder e) =>
        e.MapGet("/sync/status", (HttpContext ctx) =>
        {
            var engine = ctx.RequestServices.GetService<SyncEngine>();
            var status = engine?.GetStatus() ?? new SyncStatus(false, null, null, true, 0, [], [], []);
            return Results.Json(status, StatusJson.Options);
        });
}

internal static class StatusJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web) { WriteIndented = true };
}
