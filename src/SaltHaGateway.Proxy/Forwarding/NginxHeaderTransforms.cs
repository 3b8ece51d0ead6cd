using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>
/// Builds each route's request headers the way nginx's <c>proxy_set_header</c> does. Defaults, unless a route sets
/// the header itself: <c>Host $proxy_host</c> (nginx's default: the upstream's name),
/// <c>X-Forwarded-For $proxy_add_x_forwarded_for</c>, <c>X-Real-IP $remote_addr</c>,
/// <c>X-Forwarded-Proto $scheme</c>. YARP's own X-Forwarded-* handling is turned off so there is one rule set.
/// </summary>
public sealed class NginxHeaderTransforms : ITransformProvider
{
    private static readonly (string Name, string Value)[] Defaults =
    [
        ("Host", "$proxy_host"),
        ("X-Forwarded-For", "$proxy_add_x_forwarded_for"),
        ("X-Real-IP", "$remote_addr"),
        ("X-Forwarded-Proto", "$scheme"),
    ];

    public void ValidateRoute(TransformRouteValidationContext context) { }

    public void ValidateCluster(TransformClusterValidationContext context) { }

    public void Apply(TransformBuilderContext context)
    {
        var errors = new List<ConfigError>();
        var options = RouteOptions.Parse(context.Route, "route", errors);
        var headers = new List<KeyValuePair<string, NginxVariableExpression>>(options.Headers);
        foreach (var (name, value) in Defaults)
        {
            if (headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase))) continue;
            NginxVariableExpression.TryParse(value, out var expression, out _);
            headers.Add(new(name, expression!));
        }

        context.UseDefaultForwarders = false;
        context.AddOriginalHost(true);
        var proxyHost = context.Route.ClusterId ?? "";
        var compiled = headers.Select(h => new Header(h.Key, h.Value, h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase))).ToArray();
        // With no path or query transforms on the route, the upstream URI depends on the server and the path alone.
        var cacheUri = context.Route.Transforms is not { Count: > 0 };
        context.AddRequestTransform(transform =>
        {
            if (cacheUri && !transform.HttpContext.Request.QueryString.HasValue)
                transform.ProxyRequest.RequestUri = DestinationUris.Get(transform.DestinationPrefix, transform.Path);
            var request = transform.ProxyRequest;
            var incoming = transform.HttpContext.Request.Headers;
            foreach (var header in compiled)
            {
                var value = header.Value.Evaluate(transform.HttpContext, proxyHost);
                if (header.IsHost)
                {
                    if (value.Length > 0) request.Headers.Host = value;
                    continue;
                }
                // YARP copied the client's headers; replace the client's value rather than add to it.
                if (incoming.ContainsKey(header.Name)) request.Headers.Remove(header.Name);
                if (value.Length > 0) request.Headers.TryAddWithoutValidation(header.Name, value);
            }
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>
    /// The upstream request URIs, kept per server and path: YARP would otherwise parse a new <see cref="Uri"/> for every
    /// request. A Uri is immutable, so requests share them. Bounded: past the limit new paths are parsed each time.
    /// </summary>
    private static class DestinationUris
    {
        private const int Limit = 1024;
        private static readonly ConcurrentDictionary<(string Prefix, string Path), Uri> Cache = new();

        public static Uri Get(string prefix, PathString path)
        {
            var key = (prefix, path.Value ?? "");
            if (Cache.TryGetValue(key, out var uri)) return uri;
            uri = RequestUtilities.MakeDestinationAddress(prefix, path, QueryString.Empty);
            if (Cache.Count < Limit) Cache.TryAdd(key, uri);
            return uri;
        }
    }

    private sealed record Header(string Name, NginxVariableExpression Value, bool IsHost);
}
