namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// proxy_connect_timeout, the proxy_next_upstream family and the proxy_ssl_* directives are per location in nginx
/// but per cluster in the gateway. The first location that uses a cluster decides; any other location that would
/// need a different value (including nginx's default) is reported.
/// </summary>
internal sealed class ClusterSettingsMerger(ImportDiagnostics diagnostics)
{
    private static readonly string[] Keys =
        ["ConnectTimeout", "NextUpstream", "NextUpstreamTries", "NextUpstreamTimeout", .. ProxySettingsBuilder.SslKeys.Values];
    private readonly Dictionary<(string Cluster, string Key), (string? Value, NginxDirective Location)> _chosen = [];

    public void Add(ClusterModel cluster, LocationModel location)
    {
        var s = location.Settings;
        Setting?[] values =
        [
            s.ConnectTimeout, s.NextUpstream, s.NextUpstreamTries, s.NextUpstreamTimeout,
            .. ProxySettingsBuilder.SslKeys.Values.Select(key => Ssl(location, key)),
        ];
        for (var i = 0; i < Keys.Length; i++)
        {
            var key = (cluster.Id, Keys[i]);
            var value = values[i]?.Value;
            if (!_chosen.TryGetValue(key, out var first))
            {
                _chosen[key] = (value, location.Source);
                continue;
            }

            if (first.Value != value)
            {
                diagnostics.Warning(values[i]?.Source ?? location.Source,
                    $"{Keys[i]} is per cluster in the gateway: this location gives \"{value ?? "(nginx default)"}\" for \"{cluster.Id}\" but the location at line {first.Location.Line} gives \"{first.Value ?? "(nginx default)"}\"; the first is used");
            }
        }
    }

    /// <summary>
    /// The location's proxy_ssl_* value for a key; nginx ignores them for http:// upstreams. An unset
    /// proxy_ssl_name is nginx's $proxy_host (the proxy_pass host) when it is used: to verify or to send as SNI.
    /// </summary>
    private static Setting? Ssl(LocationModel location, string key)
    {
        if (location.ProxyPass is not { Scheme: "https" } target) return null;
        var ssl = location.Settings.Ssl;
        var value = ssl?.GetValueOrDefault(key);
        if (value is null && key == "ProxySslName"
            && (ssl?.GetValueOrDefault("ProxySslVerify")?.Value == "on" || ssl?.GetValueOrDefault("ProxySslServerName")?.Value == "on"))
            return new Setting(target.Endpoint.Host, target.Source);
        return value;
    }

    public void WriteTo(IEnumerable<ClusterModel> clusters)
    {
        foreach (var cluster in clusters)
        {
            foreach (var key in Keys)
            {
                if (_chosen.TryGetValue((cluster.Id, key), out var chosen) && chosen.Value is not null)
                {
                    cluster.Metadata.Set(key, chosen.Value);
                }
            }
        }
    }
}
