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
            return Results.Json(new VrrpStatusResponse(service?.Status() ?? [], service?.SyncGroupStatus() ?? []),
                VrrpStatusJsonContext.Default.VrrpStatusResponse);
        });
}

/// <summary>Body of GET /vrrp/status.</summary>
internal sealed record VrrpStatusResponse(IReadOnlyList<VrrpInstanceStatus> Instances, IReadOnlyList<VrrpSyncGroupStatus> SyncGroups);

/// <summary>Serialized without reflection (the gateway is compiled ahead of time), with ASP.NET Core's web defaults
/// as Results.Json used them.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(VrrpStatusResponse))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class VrrpStatusJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
