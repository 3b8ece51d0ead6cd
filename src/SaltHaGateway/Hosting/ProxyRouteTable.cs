using Microsoft.AspNetCore.Routing.Patterns;
using SaltHaGateway.Admin;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Hosting;

/// <summary>
/// Finds the route of a request on a proxy listener without endpoint routing, for the configs where that is a lookup:
/// every endpoint a proxy listener can reach matches by its path alone, either a literal path (<c>/login</c>) or a
/// literal prefix and a catch-all (<c>/{**rest}</c>, <c>/api/{**rest}</c>), with no host, method, header or query
/// match and no authorization, CORS, rate-limit, output-cache or timeout policy. The winner is the one routing would
/// pick: lowest <c>Order</c>, then an exact literal path, then the longest prefix. Anything else (another kind of
/// pattern, a tie, a path with empty segments, a non-proxy endpoint such as a status page that the path could reach)
/// answers null and the request goes through routing as before. The table follows the endpoints (config reloads).
/// </summary>
public sealed class ProxyRouteTable
{
    private readonly ICollection<EndpointDataSource> _sources;
    private EndpointDataSource? _source;
    private Table? _table;

    /// <param name="sources">The host's endpoint data sources; read at the first request, when all are mapped.</param>
    public ProxyRouteTable(ICollection<EndpointDataSource> sources) => _sources = sources;

    /// <summary>The route's endpoint for the path, or null when routing has to decide.</summary>
    public Endpoint? Match(string? path)
    {
        var table = Volatile.Read(ref _table) ?? Rebuild();
        if (table.Entries is not { } entries || string.IsNullOrEmpty(path) || path[0] != '/' || path.Contains("//", StringComparison.Ordinal))
            return null;
        // Routing ignores one trailing slash: "/a/" is "/a".
        var span = path.Length > 1 && path[^1] == '/' ? path.AsSpan(0, path.Length - 1) : path.AsSpan();
        Entry? best = null;
        var tie = false;
        foreach (var entry in entries)
        {
            if (!entry.Matches(span)) continue;
            if (best is null || best.BeatenBy(entry)) (best, tie) = (entry, false);
            else if (!entry.BeatenBy(best)) tie = true;
        }
        return best is null || tie ? null : best.Endpoint;
    }

    private Table Rebuild()
    {
        var source = _source ??= new CompositeEndpointDataSource(_sources);
        var token = source.GetChangeToken();
        var table = new Table(Build(source.Endpoints));
        Volatile.Write(ref _table, table);
        // The next request after a change builds the table again.
        token.RegisterChangeCallback(static state => Volatile.Write(ref ((ProxyRouteTable)state!)._table, null), this);
        return table;
    }

    /// <summary>The entries, or null when some endpoint reachable from a proxy listener is not a plain path match.</summary>
    internal static Entry[]? Build(IReadOnlyList<Endpoint> endpoints)
    {
        var entries = new List<Entry>();
        foreach (var endpoint in endpoints)
        {
            var metadata = endpoint.Metadata;
            if (metadata.GetMetadata<AdminEndpointMetadata>() is not null || metadata.GetMetadata<ControlEndpointMetadata>() is not null) continue;
            if (endpoint is not RouteEndpoint route || !TryParse(route.RoutePattern, out var prefix, out var catchAll)) return null;
            var proxyRoute = metadata.GetMetadata<RouteModel>();
            // A non-proxy endpoint (a status page) is kept as an entry that sends its paths to routing.
            if (proxyRoute is not null && !IsPlain(proxyRoute.Config)) return null;
            entries.Add(new Entry(proxyRoute is null ? null : endpoint, prefix, catchAll, route.Order));
        }
        return [.. entries];
    }

    private static bool IsPlain(Yarp.ReverseProxy.Configuration.RouteConfig config) =>
        config.Match.Hosts is not { Count: > 0 } && config.Match.Methods is not { Count: > 0 }
        && config.Match.Headers is not { Count: > 0 } && config.Match.QueryParameters is not { Count: > 0 }
        && string.IsNullOrEmpty(config.AuthorizationPolicy) && string.IsNullOrEmpty(config.CorsPolicy)
        && string.IsNullOrEmpty(config.RateLimiterPolicy) && string.IsNullOrEmpty(config.OutputCachePolicy)
        && string.IsNullOrEmpty(config.TimeoutPolicy) && config.Timeout is null
        // These transforms read route values, which only routing sets.
        && config.Transforms?.Any(t => t.Keys.Any(k => k.Equals("PathPattern", StringComparison.OrdinalIgnoreCase)
            || k.StartsWith("QueryRouteParameter", StringComparison.OrdinalIgnoreCase))) is not true;

    /// <summary>"/a/b" (literal segments) or "/a/{**rest}" (literal segments, then an unconstrained catch-all).</summary>
    private static bool TryParse(RoutePattern pattern, out string prefix, out bool catchAll)
    {
        prefix = "";
        catchAll = false;
        var literals = new List<string>();
        for (var i = 0; i < pattern.PathSegments.Count; i++)
        {
            var parts = pattern.PathSegments[i].Parts;
            if (parts.Count != 1) return false;
            if (parts[0] is RoutePatternLiteralPart literal) literals.Add(literal.Content);
            else if (parts[0] is RoutePatternParameterPart { IsCatchAll: true, IsOptional: false, Default: null, ParameterPolicies.Count: 0 } p
                     && i == pattern.PathSegments.Count - 1 && !pattern.ParameterPolicies.ContainsKey(p.Name) && !pattern.Defaults.ContainsKey(p.Name))
                catchAll = true;
            else return false;
        }
        prefix = "/" + string.Join('/', literals);
        return true;
    }

    /// <param name="Endpoint">The proxy route's endpoint; null for an endpoint that must go through routing.</param>
    internal sealed record Entry(Endpoint? Endpoint, string Prefix, bool CatchAll, int Order)
    {
        public bool Matches(ReadOnlySpan<char> path)
        {
            if (!CatchAll) return path.Equals(Prefix, StringComparison.OrdinalIgnoreCase);
            if (Prefix.Length == 1) return true;
            return path.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase) && (path.Length == Prefix.Length || path[Prefix.Length] == '/');
        }

        /// <summary>True when routing prefers <paramref name="other"/> over this entry (both matching).</summary>
        public bool BeatenBy(Entry other) =>
            other.Order != Order ? other.Order < Order
            : other.CatchAll != CatchAll ? !other.CatchAll
            : other.Prefix.Length > Prefix.Length;
    }

    private sealed record Table(Entry[]? Entries);
}
