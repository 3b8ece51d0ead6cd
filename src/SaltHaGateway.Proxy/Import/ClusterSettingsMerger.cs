namespace SaltHaGateway.Proxy.Import;

/// <summary>
/// proxy_connect_timeout and the proxy_next_upstream family are per location in nginx but per cluster in the
/// gateway. The first location that uses a cluster decides; any other location that would need a different
/// value (including nginx's default) is reported.
/// </summary>
internal sealed class ClusterSettingsMerger(ImportDiagnostics diagnostics)
{
    private static readonly string[] Keys = ["ConnectTimeout", "NextUpstream", "NextUpstreamTries", "NextUpstreamTimeout"];
    private readonly Dictionary<(string Cluster, string Key), (string? Value, NginxDirective Location)> _chosen = [];

    public void Add(ClusterModel cluster, LocationModel location)
    {
        var s = location.Settings;
        Setting?[] values = [s.ConnectTimeout, s.NextUpstream, s.NextUpstreamTries, s.NextUpstreamTimeout];
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
