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
        e.MapGet("/maintenance", (MaintenanceMode maintenance) => Results.Json(maintenance.State, AdminJsonContext.Indented.MaintenanceState)).AdminOnly();
        e.MapPost("/maintenance/{state}", async (string state, MaintenanceMode maintenance, CancellationToken ct) =>
        {
            bool? on = state switch { "on" => true, "off" => false, _ => null };
            if (on is null) return Results.Json(new ErrorBody($"'{state}' is not on or off"), AdminJsonContext.Indented.ErrorBody, statusCode: StatusCodes.Status400BadRequest);
            var (ok, message) = await maintenance.SetAsync(on.Value, ct);
            return Results.Json(new MaintenanceResult(ok, message, maintenance.State), AdminJsonContext.Indented.MaintenanceResult,
                statusCode: ok ? StatusCodes.Status200OK : StatusCodes.Status500InternalServerError);
        }).ControlOnly();
    }
}
