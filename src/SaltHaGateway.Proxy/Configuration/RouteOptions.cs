using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>What an nginx <c>location</c> says beyond YARP's route schema: <c>proxy_set_header</c> lines and
/// <c>allow</c>/<c>deny</c> rules, from the route's <c>Metadata</c>.</summary>
public sealed record RouteOptions
{
    public const string HeaderPrefix = "ProxySetHeader.";
    public static readonly RouteOptions Default = new();

    /// <summary>Header name to value; an empty value removes the header, as <c>proxy_set_header X ""</c>.</summary>
    public IReadOnlyList<KeyValuePair<string, NginxVariableExpression>> Headers { get; init; } = [];
    public AccessRules? Access { get; init; }

    public static RouteOptions Parse(RouteConfig route, string path, List<ConfigError> errors)
    {
        if (route.Metadata is null) return Default;
        var headers = new List<KeyValuePair<string, NginxVariableExpression>>();
        AccessRules? access = null;
        foreach (var (key, value) in route.Metadata)
        {
            var at = $"{path}.Metadata.{key}";
            if (key.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                var name = key[HeaderPrefix.Length..];
                if (name.Length == 0 || !name.All(c => c > 32 && c < 127 && c != ':'))
                    errors.Add(new(at, $"invalid header name \"{name}\""));
                else if (NginxVariableExpression.TryParse(value, out var expression, out var error))
                    headers.Add(new(name, expression!));
                else
                    errors.Add(new(at, error!));
            }
            else if (key.StartsWith(ConfigDefaults.InternalPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            else if (key.Equals("Access", StringComparison.OrdinalIgnoreCase))
            {
                if (AccessRules.TryParse(value, out access, out var error)) { }
                else errors.Add(new(at, error!));
            }
            else
            {
                errors.Add(new(at, $"unknown route option; known: Access, {HeaderPrefix}<Header-Name>"));
            }
        }
        return new RouteOptions { Headers = headers, Access = access };
    }
}
