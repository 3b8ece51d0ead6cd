using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace SaltHaGateway.Admin;

/// <summary>Marks an endpoint as served only on the admin listener.</summary>
public sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();
}

/// <summary>
/// Keeps the two listeners apart by the port a connection arrived on, not by its Host header (which a client
/// chooses): where a path has an admin endpoint, it matches only on the admin port and the proxy route only on the
/// proxy ports, so /metrics on port 80 still goes to the upstream. The policy only runs for such paths; that
/// nothing else on the admin port is proxied is the proxy pipeline's first step (see GatewayApp).
/// </summary>
public sealed class AdminListenerPolicy(AdminPort adminPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<AdminEndpointMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onAdmin = httpContext.Connection.LocalPort == adminPort.Port;
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)) continue;
            var isAdmin = candidates[i].Endpoint.Metadata.GetMetadata<AdminEndpointMetadata>() is not null;
            if (isAdmin != onAdmin) candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }
}

/// <summary>The port the admin listener is bound to (known after start when configured as port 0).</summary>
public sealed class AdminPort
{
    public int Port { get; set; }
}

public static class AdminEndpointExtensions
{
    public static TBuilder AdminOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(AdminEndpointMetadata.Instance);
}
