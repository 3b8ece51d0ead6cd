using SaltHaGateway.Health;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>What an nginx <c>upstream</c> block says that YARP's cluster schema cannot: read from the cluster's
/// <c>Metadata</c>, validated, with defaults that match nginx except where nginx's default is known to hurt.</summary>
public sealed record UpstreamOptions
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromSeconds(3);

    public BalanceMethod Balance { get; init; } = BalanceMethod.RoundRobin;
    public NextUpstreamConditions NextUpstream { get; init; } = NextUpstreamConditions.Default;
    /// <summary>0 means bounded by the number of servers.</summary>
    public int NextUpstreamTries { get; init; }
    /// <summary>Zero means no limit.</summary>
    public TimeSpan NextUpstreamTimeout { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = DefaultConnectTimeout;
    public int Keepalive { get; init; }

    /// <summary>The module's <c>check</c> parameters as written, validated by the health checker.</summary>
    public string? Check { get; init; }
    public string? CheckHttpSend { get; init; }
    public string? CheckHttpExpectAlive { get; init; }
    public string? CheckKeepaliveRequests { get; init; }

    /// <summary>nginx's <c>sticky learn …</c> or <c>sticky cookie …</c>; null without stickiness.</summary>
    public Sticky.StickyOptions? Sticky { get; init; }

    /// <summary>TLS to https destinations: the <c>ProxySsl*</c> keys, see <see cref="UpstreamTlsOptions"/>.</summary>
    public UpstreamTls Tls { get; init; } = UpstreamTls.Default;

    public static readonly IReadOnlySet<string> Keys = new HashSet<string>(
    [
        "Balance", "NextUpstream", "NextUpstreamTries", "NextUpstreamTimeout", "ConnectTimeout", "Keepalive",
        "Check", "CheckHttpSend", "CheckHttpExpectAlive", "CheckKeepaliveRequests", "Sticky",
        .. UpstreamTlsOptions.Keys,
    ], StringComparer.OrdinalIgnoreCase);

    /// <param name="baseDirectory">Where relative file paths start: the config file's directory.</param>
    public static UpstreamOptions Parse(ClusterConfig cluster, string path, List<ConfigError> errors, string? baseDirectory = null)
    {
        var options = new UpstreamOptions();
        var metadata = cluster.Metadata;
        if (metadata is null) return options;
        var meta = $"{path}.Metadata";
        var tls = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in metadata)
        {
            var at = $"{meta}.{key}";
            switch (key.ToLowerInvariant())
            {
                case "balance":
                    if (BalanceMethod.TryParse(value, out var balance, out var balanceError)) options = options with { Balance = balance! };
                    else errors.Add(new(at, balanceError!));
                    break;
                case "nextupstream":
                    if (NextUpstreamConditionsParser.TryParse(value, out var next, out var nextError)) options = options with { NextUpstream = next };
                    else errors.Add(new(at, nextError!));
                    break;
                case "nextupstreamtries":
                    if (int.TryParse(value, out var tries) && tries >= 0) options = options with { NextUpstreamTries = tries };
                    else errors.Add(new(at, $"invalid value \"{value}\": expected a number of tries, 0 for no limit"));
                    break;
                case "nextupstreamtimeout":
                    if (NginxValue.TryParseTime(value, out var nt)) options = options with { NextUpstreamTimeout = nt };
                    else errors.Add(new(at, $"invalid time \"{value}\" (for example 10s or 500ms)"));
                    break;
                case "connecttimeout":
                    if (NginxValue.TryParseTime(value, out var ct) && ct > TimeSpan.Zero) options = options with { ConnectTimeout = ct };
                    else errors.Add(new(at, $"invalid time \"{value}\": must be more than 0 (for example 3s or 500ms)"));
                    break;
                case "keepalive":
                    if (int.TryParse(value, out var ka) && ka > 0) options = options with { Keepalive = ka };
                    else errors.Add(new(at, $"invalid value \"{value}\": expected a positive number of connections"));
                    break;
                case "check": options = options with { Check = value }; break;
                case "checkhttpsend": options = options with { CheckHttpSend = value }; break;
                case "checkhttpexpectalive": options = options with { CheckHttpExpectAlive = value }; break;
                case "checkkeepaliverequests": options = options with { CheckKeepaliveRequests = value }; break;
                case "sticky":
                    if (global::SaltHaGateway.Proxy.Sticky.StickyOptions.TryParse(value, out var sticky, out var stickyError)) options = options with { Sticky = sticky };
                    else errors.Add(new(at, stickyError!));
                    break;
                case "proxysslverify" or "proxyssltrustedcertificate" or "proxysslverifydepth" or "proxysslname"
                    or "proxysslservername" or "proxysslprotocols" or "proxysslcertificate" or "proxysslcertificatekey":
                    tls[key] = (value, at);
                    break;
                default:
                    errors.Add(new(at, $"unknown upstream option; known: {string.Join(", ", Keys.Order())}"));
                    break;
            }
        }
        return options with { Tls = UpstreamTlsOptions.Parse(tls, baseDirectory, errors) };
    }
}
