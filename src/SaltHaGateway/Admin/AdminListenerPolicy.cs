using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Matching;

namespace SaltHaGateway.Admin;

/// <summary>Marks an endpoint as served only on the admin listener (and the control socket).</summary>
public sealed class AdminEndpointMetadata
{
    public static readonly AdminEndpointMetadata Instance = new();
}

/// <summary>Marks an endpoint that changes state: served only on the control socket.</summary>
public sealed class ControlEndpointMetadata
{
    public static readonly ControlEndpointMetadata Instance = new();
}

/// <summary>Which listener a connection arrived on.</summary>
public enum ListenerKind
{
    Proxy,
    Admin,
    /// <summary>The local unix socket (root only): read-only admin endpoints and the state-changing ones.</summary>
    Control,
}

/// <summary>
/// Keeps the two listeners apart by the port a connection arrived on, not by its Host header (which a client
/// chooses): where a path has an admin endpoint, it matches only on the admin port and the proxy route only on the
/// proxy ports, so /metrics on port 80 still goes to the upstream. The policy only runs for such paths; that
/// nothing else on the admin port is proxied is the proxy pipeline's first step (see GatewayApp). Who may use what
/// on the admin listener and the control socket is <see cref="AdminGuard"/>'s decision.
/// </summary>
public sealed class AdminListenerPolicy(AdminPort adminPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => -100;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        endpoints.Any(e => e.Metadata.GetMetadata<AdminEndpointMetadata>() is not null || e.Metadata.GetMetadata<ControlEndpointMetadata>() is not null);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var on = KindOf(httpContext.Connection, adminPort.Port);
        for (var i = 0; i < candidates.Count; i++)
        {
            if (!candidates.IsValidCandidate(i)) continue;
            var metadata = candidates[i].Endpoint.Metadata;
            // State-changing endpoints match on the admin listener too, so that AdminGuard can refuse them there
            // with a reason (405 without a token, 401 with a wrong one) instead of an anonymous 404.
            var valid = metadata.GetMetadata<ControlEndpointMetadata>() is not null || metadata.GetMetadata<AdminEndpointMetadata>() is not null
                ? on != ListenerKind.Proxy
                : on == ListenerKind.Proxy;
            if (!valid) candidates.SetValidity(i, false);
        }
        return Task.CompletedTask;
    }

    /// <summary>A unix-socket connection has no IP address; the admin listener is known by its port.</summary>
    public static ListenerKind KindOf(ConnectionInfo connection, int adminPort) =>
        connection.LocalIpAddress is null ? ListenerKind.Control
        : connection.LocalPort == adminPort ? ListenerKind.Admin
        : ListenerKind.Proxy;
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

    public static TBuilder ControlOnly<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(ControlEndpointMetadata.Instance);
}
