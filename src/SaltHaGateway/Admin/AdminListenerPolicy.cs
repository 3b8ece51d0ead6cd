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
/// chooses): admin endpoints match only on the admin port, proxy routes only on the proxy ports. So /metrics on
/// port 80 still goes to the upstream, and nothing on the admin port is proxied.
/// </summary>
public sealed class AdminListenerPolicy(AdminPort adminPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

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
