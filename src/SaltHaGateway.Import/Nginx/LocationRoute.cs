namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// How a location's match and a proxy_pass URI part become a route path and YARP path transforms.
/// nginx replaces the matched location prefix with the proxy_pass URI; YARP can say that exactly with
/// PathRemovePrefix/PathPrefix when both end in '/' or neither does, and with PathSet for exact locations.
/// </summary>
internal static class LocationRoute
{
    public static string Path(LocationPattern pattern, NginxDirective location, ImportDiagnostics diagnostics)
    {
        if (pattern.Kind == LocationKind.Exact || pattern.Path == "/")
        {
            return pattern.Kind == LocationKind.Exact ? pattern.Path : "/{**catch-all}";
        }

        if (pattern.Path.EndsWith('/'))
        {
            return pattern.Path + "{**catch-all}";
        }

        diagnostics.Warning(location,
            $"prefix \"{pattern.Path}\" becomes \"{pattern.Path}/{{**catch-all}}\": it matches {pattern.Path} and {pattern.Path}/..., while nginx also matches {pattern.Path}-anything");
        return pattern.Path + "/{**catch-all}";
    }

    /// <summary>The transforms, or null when the rewrite has no exact YARP equivalent.</summary>
    public static List<KeyValuePair<string, string>>? Transforms(LocationPattern pattern, string? uri)
    {
        var result = new List<KeyValuePair<string, string>>();
        if (uri is null || uri == pattern.Path)
        {
            return result;
        }

        if (pattern.Kind == LocationKind.Exact)
        {
            result.Add(new("PathSet", uri));
            return result;
        }

        var location = pattern.Path;
        if (location.EndsWith('/') != uri.EndsWith('/'))
        {
            return null;
        }

        var removed = location.EndsWith('/') ? location[..^1] : location;
        var added = uri.EndsWith('/') ? uri[..^1] : uri;
        if (removed.Length > 0)
        {
            result.Add(new("PathRemovePrefix", removed));
        }

        if (added.Length > 0)
        {
            result.Add(new("PathPrefix", added));
        }

        return result;
    }
}
