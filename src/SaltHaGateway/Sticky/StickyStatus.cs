using SaltHaGateway.Admin;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using SaltHaGateway.Proxy.Sticky;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Sticky;

/// <summary><c>GET /sticky/status</c>: each sticky upstream's method, zone and counters, and the replication from each
/// peer (<c>sync</c>). Session values are never shown.</summary>
public static class StickyStatus
{
    public static RouteHandlerBuilder MapStickyStatus(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/sticky/status", (StickyTables tables, UpstreamTable upstreams) =>
        {
            var config = upstreams.Config;
            var rows = new List<Dictionary<string, object?>>();
            var sticky = (config?.Upstreams ?? new Dictionary<string, Proxy.Configuration.UpstreamOptions>())
                .Where(u => u.Value.Sticky is not null).OrderBy(u => u.Key, StringComparer.Ordinal);
            foreach (var (name, options) in sticky)
            {
                var directive = options.Sticky!;
                var table = tables.All.FirstOrDefault(t => string.Equals(t.Upstream, name, StringComparison.OrdinalIgnoreCase));
                var counters = table?.Counters ?? tables.CookieCounters(name);
                rows.Add(new()
                {
                    ["upstream"] = name,
                    ["method"] = directive.Mode == StickyMode.Learn ? "learn" : "cookie",
                    ["directive"] = directive.Text,
                    ["zone"] = directive.Mode == StickyMode.Learn ? directive.Zone : null,
                    ["capacity"] = table?.Capacity,
                    ["entries"] = table?.Count ?? 0,
                    ["timeoutSeconds"] = directive.Mode == StickyMode.Learn ? directive.Timeout.TotalSeconds : null,
                    ["sync"] = directive.Sync,
                    ["hits"] = Interlocked.Read(ref counters.Hits),
                    ["misses"] = Interlocked.Read(ref counters.Misses),
                    ["learned"] = Interlocked.Read(ref counters.Learned),
                    ["evictions"] = Interlocked.Read(ref counters.Evictions),
                    ["rebinds"] = Interlocked.Read(ref counters.Rebinds),
                });
            }
            var peers = tables.Peers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => new Dictionary<string, object?>
            {
                ["peer"] = p.Key,
                ["received"] = p.Value.Received,
                ["lagSeconds"] = p.Value.LagSeconds,
                ["lastAnswer"] = p.Value.LastAnswer,
            }).ToList();
            return Results.Json(new Dictionary<string, object> { ["upstreams"] = rows, ["peers"] = peers }, AdminJsonContext.Compact.DictionaryStringObject);
        });
}
