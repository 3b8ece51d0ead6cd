using System.Collections.Concurrent;
using SaltHaGateway.Proxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Upstreams;

/// <summary>
/// The run-time upstreams, one per YARP cluster. An upstream is (re)built lazily when its cluster's model changes,
/// so it always matches what YARP routes to; a rebuilt upstream keeps the failure accounting and balancing state of
/// servers whose address and options did not change (nginx loses these on reload).
/// </summary>
public sealed class UpstreamTable
{
    private readonly ConcurrentDictionary<string, Upstream> _upstreams = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock _buildGate = new();
    private readonly TimeProvider _time;
    private readonly IUpstreamHealthSource _health;
    private volatile GatewayProxyConfig? _config;
    private volatile Func<UpstreamServer, bool>? _drain;

    private readonly Sticky.StickyTables? _sticky;

    public UpstreamTable(TimeProvider time, IUpstreamHealthSource health, Sticky.StickyTables? sticky = null)
    {
        _time = time;
        _sticky = sticky;
        _health = health;
        _health.Changed += OnHealthChanged;
    }

    /// <summary>Raised after an upstream was (re)built, e.g. for the health checker's targets or metrics.</summary>
    public event Action<Upstream>? Rebuilt;

    /// <summary>The config whose options the upstreams use; set before YARP is given the same config.</summary>
    public GatewayProxyConfig? Config
    {
        get => _config;
        set
        {
            _config = value;
            if (value is null) return;
            foreach (var id in _upstreams.Keys)
            {
                if (!value.Upstreams.ContainsKey(id)) _upstreams.TryRemove(id, out _);
            }
            if (_sticky is not null)
            {
                // Tables exist from the config on, not from the first request, so bindings from peers have a place.
                _sticky.Retain(id => value.Upstreams.TryGetValue(id, out var o) && o.Sticky is not null);
                foreach (var (id, o) in value.Upstreams)
                {
                    if (o.Sticky is { Mode: Sticky.StickyMode.Learn } learn) _sticky.For(id, learn);
                }
            }
        }
    }

    public IEnumerable<Upstream> All => _upstreams.Values;

    public bool TryGet(string name, out Upstream? upstream) => _upstreams.TryGetValue(name, out upstream);

    /// <summary>The upstream for a cluster as YARP currently has it; cheap when nothing changed.</summary>
    public Upstream Resolve(ClusterState cluster)
    {
        var model = cluster.Model;
        if (_upstreams.TryGetValue(cluster.ClusterId, out var current) && ReferenceEquals(current.Model, model))
            return current;
        Upstream built;
        lock (_buildGate)
        {
            if (_upstreams.TryGetValue(cluster.ClusterId, out current) && ReferenceEquals(current.Model, model))
                return current;
            built = Build(cluster, model, current);
            _upstreams[cluster.ClusterId] = built;
        }
        Rebuilt?.Invoke(built);
        return built;
    }

    private Upstream Build(ClusterState cluster, ClusterModel model, Upstream? previous)
    {
        var config = _config;
        var options = config?.Upstreams.GetValueOrDefault(cluster.ClusterId) ?? new UpstreamOptions();
        var serverOptions = config?.Servers.GetValueOrDefault(cluster.ClusterId);
        var servers = new List<UpstreamServer>();
        foreach (var (id, destinationConfig) in model.Config.Destinations ?? new Dictionary<string, Yarp.ReverseProxy.Configuration.DestinationConfig>())
        {
            if (!cluster.Destinations.TryGetValue(id, out var destination)) continue;
            var name = NameOf(destinationConfig.Address);
            var server = new UpstreamServer(servers.Count, id, name, serverOptions?.GetValueOrDefault(id) ?? ServerOptions.Default, destination);
            var old = previous?.All.FirstOrDefault(s => s.Id == id);
            if (old is not null && old.Name == server.Name && old.Options == server.Options) server.CopyStateFrom(old);
            server.CheckDown = !_health.IsUp(cluster.ClusterId, name);
            server.Drained = _drain?.Invoke(server) ?? false;
            servers.Add(server);
        }
        return new Upstream(cluster.ClusterId, options, model, servers, _time, _sticky);
    }

    /// <summary>Copies the health checker's current verdicts onto every server. Needed where the checker sets a state
    /// without reporting a change: a new server that starts down (<c>default_down</c>) after the first round or a reload.</summary>
    public void RefreshHealth()
    {
        foreach (var upstream in _upstreams.Values)
        {
            foreach (var server in upstream.All) server.CheckDown = !_health.IsUp(upstream.Name, server.Name);
        }
    }

    /// <summary>
    /// Drains the servers <paramref name="select"/> picks (nginx Plus's <c>drain</c>, HAProxy's drain state): they
    /// take no new requests, in this and every rebuilt upstream, until called again with null.
    /// </summary>
    /// <returns>The servers drained now, as "upstream/host:port".</returns>
    public IReadOnlyList<string> Drain(Func<UpstreamServer, bool>? select)
    {
        _drain = select;
        var drained = new List<string>();
        foreach (var upstream in _upstreams.Values)
        {
            foreach (var server in upstream.All)
            {
                server.Drained = select?.Invoke(server) ?? false;
                if (server.Drained) drained.Add($"{upstream.Name}/{server.Name}");
            }
        }
        return drained;
    }

    /// <summary>host:port of a destination address, as nginx names a server.</summary>
    public static string NameOf(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri)) return address;
        return $"{uri.Host}:{uri.Port}";
    }

    private void OnHealthChanged(string upstream, string server, bool up)
    {
        if (!_upstreams.TryGetValue(upstream, out var u)) return;
        foreach (var s in u.All)
        {
            if (s.Name == server) s.CheckDown = !up;
        }
    }
}
