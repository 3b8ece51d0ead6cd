using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>The parameters of an nginx <c>server</c> line (weight, max_fails, fail_timeout, backup, down), read from
/// the destination's <c>Metadata</c>. Defaults are nginx's: weight=1 max_fails=1 fail_timeout=10s.</summary>
public sealed record ServerOptions
{
    public static readonly ServerOptions Default = new();

    public int Weight { get; init; } = 1;
    public int MaxFails { get; init; } = 1;
    public TimeSpan FailTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public bool Backup { get; init; }
    public bool Down { get; init; }

    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "Weight", "MaxFails", "FailTimeout", "Backup", "Down",
    };

    public static ServerOptions Parse(DestinationConfig destination, string path, List<ConfigError> errors)
    {
        var options = Default;
        if (destination.Metadata is null) return options;
        foreach (var (key, value) in destination.Metadata)
        {
            var at = $"{path}.Metadata.{key}";
            switch (key.ToLowerInvariant())
            {
                case "weight":
                    if (int.TryParse(value, out var w) && w >= 1) options = options with { Weight = w };
                    else errors.Add(new(at, $"invalid weight \"{value}\": must be a whole number of at least 1"));
                    break;
                case "maxfails":
                    if (int.TryParse(value, out var mf) && mf >= 0) options = options with { MaxFails = mf };
                    else errors.Add(new(at, $"invalid max_fails \"{value}\": must be a whole number, 0 disables"));
                    break;
                case "failtimeout":
                    if (NginxValue.TryParseTime(value, out var ft)) options = options with { FailTimeout = ft };
                    else errors.Add(new(at, $"invalid fail_timeout \"{value}\" (for example 10s)"));
                    break;
                case "backup":
                    if (NginxValue.TryParseBool(value, out var b)) options = options with { Backup = b };
                    else errors.Add(new(at, $"invalid value \"{value}\": expected true or false"));
                    break;
                case "down":
                    if (NginxValue.TryParseBool(value, out var d)) options = options with { Down = d };
                    else errors.Add(new(at, $"invalid value \"{value}\": expected true or false"));
                    break;
                default:
                    errors.Add(new(at, $"unknown server option; known: {string.Join(", ", Keys.Order())}"));
                    break;
            }
        }
        return options;
    }
}
