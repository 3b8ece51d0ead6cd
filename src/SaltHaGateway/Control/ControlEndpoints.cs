using SaltHaGateway.Admin;
using SaltHaGateway.Maintenance;

namespace SaltHaGateway.Control;

/// <summary>
/// <c>GET /maintenance</c> (admin listener and control socket) and <c>POST /maintenance/on|off</c> (control socket
/// only: it moves the VIP and drains upstream servers).
/// </summary>
public static class ControlEndpoints
{
    public static void MapMaintenance(this IEndpointRouteBuilder e)
    {
        e.MapGet("/maintenance", (MaintenanceMode maintenance) => Results.Json(maintenance.State, StatusJson.Options)).AdminOnly();
        e.MapPost("/maintenance/{state}", async (string state, MaintenanceMode maintenance, CancellationToken ct) =>
        {
            bool? on = state switch { "on" => true, "off" => false, _ => null };
            if (on is null) return Results.Json(new { error = $"'{state}' is not on or off" }, StatusJson.Options, statusCode: StatusCodes.Status400BadRequest);
            var (ok, message) = await maintenance.SetAsync(on.Value, ct);
            return Results.Json(new { ok, message, maintenance = maintenance.State }, StatusJson.Options,
                statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
        }).ControlOnly();
    }
}

/// <summary>camelCase JSON for the host's own endpoints, as the subsystems' status endpoints write it.</summary>
internal static class StatusJson
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
    };
}
