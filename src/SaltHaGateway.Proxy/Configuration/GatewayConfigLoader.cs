using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// Reads the gateway's JSON file and turns its <c>ReverseProxy</c> section into a validated
/// <see cref="GatewayProxyConfig"/>, or into every problem found, each naming the JSON path and the reason.
/// Validation is all-or-nothing: the caller keeps its running config unless this succeeds.
/// </summary>
public sealed class GatewayConfigLoader(IConfigValidator yarpValidator, IEnumerable<IUpstreamOptionsValidator> upstreamValidators)
{
    private static readonly GatewayConfigJsonContext SerializerContext = new(CreateSerializerOptions());
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    public async Task<(GatewayProxyConfig? Config, IReadOnlyList<ConfigError> Errors)> LoadAsync(string file, CancellationToken ct = default)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, [new ConfigError(file, e is FileNotFoundException or DirectoryNotFoundException ? "file not found" : e.Message)]);
        }
        return await ParseAsync(file, bytes);
    }

    public async Task<(GatewayProxyConfig? Config, IReadOnlyList<ConfigError> Errors)> ParseAsync(string file, byte[] bytes)
    {
        if (bytes.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
            return (null, [new ConfigError(file, "file is empty")]);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes, DocumentOptions);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $"{file}:{line + 1}:{e.BytePositionInLine + 1}" : file;
            return (null, [new ConfigError(where, "malformed JSON: " + FirstSentence(e.Message))]);
        }

        using (document)
        {
            var errors = new List<ConfigError>();
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                return (null, [new ConfigError("$", "the file must hold a JSON object")]);
            if (!TryGetProperty(document.RootElement, "ReverseProxy", out var proxy) || proxy.ValueKind != JsonValueKind.Object)
                return (null, [new ConfigError("ReverseProxy", "section is missing: routes and clusters go under \"ReverseProxy\"")]);

            var routes = ReadEntries(proxy, "Routes", SerializerContext.RouteConfig, errors, (r, id) => ConfigDefaults.Apply(r with { RouteId = id }));
            var clusters = ReadEntries(proxy, "Clusters", SerializerContext.ClusterConfig, errors, (c, id) => ConfigDefaults.Apply(c with { ClusterId = id }));
            foreach (var property in proxy.EnumerateObject())
            {
                if (!property.Name.Equals("Routes", StringComparison.OrdinalIgnoreCase) && !property.Name.Equals("Clusters", StringComparison.OrdinalIgnoreCase))
                    errors.Add(new($"ReverseProxy.{property.Name}", "unknown key; expected Routes and Clusters"));
            }

            var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(file));
            var upstreams = new Dictionary<string, UpstreamOptions>(StringComparer.OrdinalIgnoreCase);
            var servers = new Dictionary<string, IReadOnlyDictionary<string, ServerOptions>>(StringComparer.OrdinalIgnoreCase);
            foreach (var (path, cluster) in clusters)
            {
                upstreams[cluster.ClusterId] = ValidateCluster(cluster, path, baseDirectory, errors, out var clusterServers);
                servers[cluster.ClusterId] = clusterServers;
                foreach (var e in await yarpValidator.ValidateClusterAsync(cluster))
                    errors.Add(new(path, e.Message));
            }

            var routeOptions = new Dictionary<string, RouteOptions>(StringComparer.OrdinalIgnoreCase);
            foreach (var (path, route) in routes)
            {
                if (string.IsNullOrEmpty(route.ClusterId))
                    errors.Add(new($"{path}.ClusterId", "missing: every route must name the cluster it forwards to"));
                else if (!upstreams.ContainsKey(route.ClusterId))
                    errors.Add(new($"{path}.ClusterId", $"unknown cluster \"{route.ClusterId}\"; defined: {string.Join(", ", upstreams.Keys.Order())}"));
                var options = routeOptions[route.RouteId] = RouteOptions.Parse(route, path, errors);
                // The cluster's name is nginx's $proxy_host, the Host header sent upstream by default: a name that
                // cannot be a host name would fail every request of the route with a 502.
                if (upstreams.ContainsKey(route.ClusterId ?? "") && !IsHostName(route.ClusterId!) && SendsProxyHost(options))
                    errors.Add(new($"{path}.ClusterId", $"cluster name \"{route.ClusterId}\" is sent as the Host header ($proxy_host, the default) and cannot be one; name the cluster with letters, digits, '.', '-' and '_' as an nginx upstream, or set ProxySetHeader.Host"));
                foreach (var e in await yarpValidator.ValidateRouteAsync(route))
                    errors.Add(new(path, e.Message));
            }

            if (errors.Count > 0) return (null, errors);
            // The certificate files count as part of the config: a reload after replacing one applies it.
            var files = string.Concat(upstreams.Values.Select(u => u.Tls.FilesDigest));
            var revision = Convert.ToHexString(SHA256.HashData([.. bytes, .. System.Text.Encoding.UTF8.GetBytes(files)]))[..12].ToLowerInvariant();
            return (new GatewayProxyConfig(
                routes.Select(r => r.Value).ToList(),
                clusters.Select(c => c.Value).ToList(),
                upstreams, servers, routeOptions, revision), []);
        }
    }

    private UpstreamOptions ValidateCluster(ClusterConfig cluster, string path, string? baseDirectory, List<ConfigError> errors,
        out IReadOnlyDictionary<string, ServerOptions> servers)
    {
        var options = UpstreamOptions.Parse(cluster, path, errors, baseDirectory);
        var parsed = new Dictionary<string, ServerOptions>(StringComparer.OrdinalIgnoreCase);
        servers = parsed;
        if (cluster.Destinations is null || cluster.Destinations.Count == 0)
        {
            errors.Add(new($"{path}.Destinations", "no servers: an upstream needs at least one destination"));
            return options;
        }
        foreach (var (id, destination) in cluster.Destinations)
        {
            var at = $"{path}.Destinations.{id}";
            if (!TryParseAddress(destination.Address, out var addressError))
                errors.Add(new($"{at}.Address", addressError!));
            if (!string.IsNullOrEmpty(destination.Health) && !TryParseAddress(destination.Health, out var healthError))
                errors.Add(new($"{at}.Health", healthError!));
            parsed[id] = ServerOptions.Parse(destination, at, errors);
        }
        if (parsed.Values.All(s => s.Backup))
            errors.Add(new($"{path}.Destinations", "every server is a backup: at least one must be a primary"));
        if (options.Balance.Kind is BalanceKind.IpHash or BalanceKind.Hash && parsed.Values.Any(s => s.Backup))
            errors.Add(new($"{path}.Metadata.Balance", $"backup servers cannot be used with \"{options.Balance}\" (nginx rejects this too)"));
        foreach (var validator in upstreamValidators) validator.Validate(cluster.ClusterId, options, path, errors);
        return options;
    }

    private static bool TryParseAddress(string? address, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(address)) { error = "missing: expected an address such as http://10.0.0.1:6868"; return false; }
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https") || uri.Host.Length == 0)
        {
            error = $"invalid address \"{address}\": expected http://HOST:PORT or https://HOST:PORT";
            return false;
        }
        if (!string.IsNullOrEmpty(uri.UserInfo)) { error = $"invalid address \"{address}\": user info is not allowed"; return false; }
        return true;
    }

    private static List<KeyValuePair<string, T>> ReadEntries<T>(JsonElement proxy, string name, JsonTypeInfo<T> type, List<ConfigError> errors, Func<T, string, T> withId)
    {
        var result = new List<KeyValuePair<string, T>>();
        if (!TryGetProperty(proxy, name, out var section) || section.ValueKind == JsonValueKind.Null) return result;
        if (section.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new($"ReverseProxy.{name}", "must be an object keyed by id"));
            return result;
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in section.EnumerateObject())
        {
            var path = $"ReverseProxy.{name}.{entry.Name}";
            if (!seen.Add(entry.Name)) { errors.Add(new(path, "defined twice (ids are case-insensitive)")); continue; }
            if (entry.Value.ValueKind != JsonValueKind.Object) { errors.Add(new(path, "must be an object")); continue; }
            try
            {
                var value = entry.Value.Deserialize(type);
                if (value is null) { errors.Add(new(path, "must be an object")); continue; }
                result.Add(new(path, withId(value, entry.Name)));
            }
            catch (JsonException e)
            {
                var inner = e.Path is { Length: > 1 } p ? path + p[1..] : path;
                errors.Add(new(inner, Describe(e, type)));
            }
        }
        return result;
    }

    private static string Describe(JsonException e, JsonTypeInfo root)
    {
        var message = FirstSentence(e.Message);
        if (message.Contains("could not be mapped", StringComparison.Ordinal)) return "unknown key (check the spelling against YARP's schema)";
        if (message.StartsWith("The JSON value could not be converted to ", StringComparison.Ordinal))
        {
            // The generated reader names the enclosing record; the value's own type comes from the metadata.
            var type = TypeAt(root, e.Path)?.ToString() ?? message["The JSON value could not be converted to ".Length..].TrimEnd('.');
            return $"invalid value: expected {FriendlyType(type)}";
        }
        return message;
    }

    /// <summary>The declared type at a JSON path such as <c>$.HttpRequest.VersionPolicy</c> or
    /// <c>$.Match.Headers[0].Mode</c>, from the generated metadata; null when the path cannot be followed.</summary>
    internal static Type? TypeAt(JsonTypeInfo root, string? path)
    {
        if (path is not { Length: > 1 } || path[0] != '$') return null;
        var info = root;
        Type? type = null;
        var i = 1;
        while (i < path.Length)
        {
            string? name;
            if (path[i] == '.')
            {
                var end = path.IndexOfAny(['.', '['], i + 1);
                if (end < 0) end = path.Length;
                name = path[(i + 1)..end];
                i = end;
            }
            else if (path[i] == '[' && path.IndexOf(']', i) is var close and > 0)
            {
                var inside = path[(i + 1)..close];
                name = inside.StartsWith('\'') ? inside.Trim('\'') : null;
                i = close + 1;
            }
            else return null;

            if (info.Kind == JsonTypeInfoKind.Object && name is not null)
                type = info.Properties.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))?.PropertyType;
            else if (info.Kind is JsonTypeInfoKind.Dictionary or JsonTypeInfoKind.Enumerable)
                type = info.ElementType;
            else
                type = null;
            if (type is null) return null;
            if (i < path.Length)
            {
                try
                {
                    info = info.Options.GetTypeInfo(type);
                }
                catch (NotSupportedException)
                {
                    return null;
                }
            }
        }
        return type;
    }

    private static string FriendlyType(string type) => type switch
    {
        "System.TimeSpan" or "System.Nullable`1[System.TimeSpan]" => "a time span such as \"00:00:10\"",
        "System.Int32" or "System.Nullable`1[System.Int32]" or "System.Int64" or "System.Nullable`1[System.Int64]" => "a whole number",
        "System.Boolean" or "System.Nullable`1[System.Boolean]" => "true or false",
        "System.String" => "a string",
        _ => type.Replace("System.Nullable`1[", "").TrimEnd(']'),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0) cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }

    private static bool TryGetProperty(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase)) { value = property.Value; return true; }
        }
        value = default;
        return false;
    }

    private static JsonSerializerOptions CreateSerializerOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };
        options.Converters.Add(new LenientStringDictionaryConverter());
        options.Converters.Add(new HttpVersionConverter());
        return options;
    }

    private static bool SendsProxyHost(RouteOptions options) =>
        options.Headers.FirstOrDefault(h => h.Key.Equals("Host", StringComparison.OrdinalIgnoreCase)).Value is not { } host
        || host.Text.Contains("$proxy_host", StringComparison.Ordinal);

    private static bool IsHostName(string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_');
}

/// <summary>YARP's route and cluster records, read without reflection (the gateway is compiled ahead of time); enums
/// are read by name, as YARP's own configuration binding does.</summary>
[JsonSerializable(typeof(RouteConfig))]
[JsonSerializable(typeof(ClusterConfig))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class GatewayConfigJsonContext : JsonSerializerContext;
