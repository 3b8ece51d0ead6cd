using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Vrrp.Hosting;

namespace SaltHaGateway.Vrrp;

public static class VrrpEndpoints
{
    /// <summary>GET /vrrp/status: one object per instance (empty list when VRRP is not configured).</summary>
    public static IEndpointConventionBuilder MapVrrpStatus(this IEndpointRouteBuilder e) =>
        e.MapGet("/vrrp/status", (HttpContext context) =>
        {
            var service = context.RequestServices.GetService<VrrpService>();
            return Results.Json(new { instances = service?.Status() ?? [], syncGroups = service?.SyncGroupStatus() ?? [] });
        });
}
