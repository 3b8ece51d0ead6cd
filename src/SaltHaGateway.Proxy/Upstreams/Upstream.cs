using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Balancing;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Sticky;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Upstreams;

/// <summary>
/// An nginx <c>upstream</c> at run time: its primary and backup servers in config order and the balancer that
/// picks among them. Every balancing method sees the same availability rules (down, failed, checked down, already
/// tried), and backups are used only when no primary is available — nginx's round-robin peer logic.
/// </summary>
public sealed class Upstream
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly long _frequency;

    public Upstream(string name, UpstreamOptions options, ClusterModel model, IReadOnlyList<UpstreamServer> servers, TimeProvider time,
        Sticky.StickyTables? sticky = null)
    {
        Name = name;
        Options = options;
        Model = model;
        _time = time;
        _frequency = time.TimestampFrequency;
        All = servers;
        Primaries = servers.Where(s => !s.Options.Backup).ToArray();
        Backups = servers.Where(s => s.Options.Backup).ToArray();
        Balancer = ServerBalancer.For(options.Balance, Primaries);
        BackupBalancer = new SmoothWeightedRoundRobin();
        Sticky = options.Sticky;
        if (Sticky is not null && sticky is not null)
        {
            if (Sticky.Mode == StickyMode.Learn)
            {
                StickyTable = sticky.For(name, Sticky);
                StickyCounters = StickyTable.Counters;
            }
            else
            {
                StickyCounters = sticky.CookieCounters(name);
                _cookieIds = servers.Select(s => StickyRouting.CookieId(s.Name)).ToArray();
            }
        }
        else Sticky = null;
    }

    /// <summary>The upstream's <c>sticky</c> directive, null without one.</summary>
    public StickyOptions? Sticky { get; }
    /// <summary>The bindings of <c>sticky learn</c>.</summary>
    public StickyTable? StickyTable { get; }
    public StickyCounters? StickyCounters { get; }
    private readonly string[] _cookieIds = [];

    /// <summary>The server named host:port, or null.</summary>
    public UpstreamServer? Find(string name)
    {
        foreach (var s in All)
        {
            if (s.Name == name) return s;
        }
        return null;
    }

    /// <summary>The server a <c>sticky cookie</c> value names, or null.</summary>
    public UpstreamServer? ServerByCookie(string value)
    {
        for (var i = 0; i < _cookieIds.Length; i++)
        {
            if (_cookieIds[i] == value) return All[i];
        }
        return null;
    }

    public string CookieIdOf(UpstreamServer server) => _cookieIds[server.Index];

    /// <summary>Whether a bound server may take the request now (the same test and bookkeeping as <see cref="Pick"/>).</summary>
    public bool TryTake(UpstreamServer server)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (!server.IsUsable(now, _frequency)) return false;
            if (now - server.CheckedTicks > (long)(server.Options.FailTimeout.TotalSeconds * _frequency))
                server.CheckedTicks = now;
            return true;
        }
    }

    public string Name { get; }
    public UpstreamOptions Options { get; }
    /// <summary>The YARP cluster model this was built from; a different one means the config changed.</summary>
    public ClusterModel Model { get; }
    public IReadOnlyList<UpstreamServer> All { get; }
    public UpstreamServer[] Primaries { get; }
    public UpstreamServer[] Backups { get; }
    internal ServerBalancer Balancer { get; }
    private ServerBalancer BackupBalancer { get; }

    /// <summary>Tries allowed for one request: the configured number, bounded by the number of servers.</summary>
    public int MaxTries => Options.NextUpstreamTries == 0 ? All.Count : Math.Min(Options.NextUpstreamTries, All.Count);

    /// <summary>Picks the server for the next try, or null when none is left ("no live upstreams").</summary>
    /// <param name="tried">Servers already tried for this request, by index; null on the first try.</param>
    public UpstreamServer? Pick(HttpContext context, bool[]? tried)
    {
        var key = Balancer.NeedsKey ? Balancer.KeyOf(context) : default;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var picked = Balancer.Pick(Primaries, key, tried, now, _frequency)
                ?? (Backups.Length > 0 ? BackupBalancer.Pick(Backups, default, tried, now, _frequency) : null);
            if (picked is null)
            {
                // nginx: when every server has failed, forget the failures so the next request tries again.
                if (tried is null) foreach (var s in All) s.Fails = 0;
                return null;
            }
            if (now - picked.CheckedTicks > (long)(picked.Options.FailTimeout.TotalSeconds * _frequency))
                picked.CheckedTicks = now;
            return picked;
        }
    }

    private long _lastNoLiveWarning = long.MinValue;

    /// <summary>Metrics cached for this upstream (see ProxyMetrics).</summary>
    internal Observability.RequestSeries? LastNoServerSeries;
    internal Prometheus.Histogram.Child? Duration;

    /// <summary>True at most once per second, so a dead upstream under load logs a line a second, not a line a request.</summary>
    public bool ShouldWarnNoLiveServers()
    {
        var now = _time.GetTimestamp();
        var last = Interlocked.Read(ref _lastNoLiveWarning);
        return now - last >= _frequency && Interlocked.CompareExchange(ref _lastNoLiveWarning, now, last) == last;
    }

    /// <summary>True when at least one server could take a request right now.</summary>
    public bool HasUsableServer()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            return All.Any(s => s.IsUsable(now, _frequency));
        }
    }

    /// <summary>Whether a server is usable now (for the <c>saltha_upstream_up</c> gauge).</summary>
    public bool IsUsable(UpstreamServer server)
    {
        lock (_gate) return server.IsUsable(_time.GetTimestamp(), _frequency);
    }

    /// <summary>nginx's free_peer with NGX_PEER_FAILED. Returns true when this failure disabled the server.</summary>
    public bool RecordFailure(UpstreamServer server)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            server.Fails++;
            server.AccessedTicks = now;
            server.CheckedTicks = now;
            if (server.Options.MaxFails > 0)
            {
                server.EffectiveWeight -= server.Options.Weight / server.Options.MaxFails;
                if (server.EffectiveWeight < 0) server.EffectiveWeight = 0;
            }
            return server.Options.MaxFails > 0 && server.Fails == server.Options.MaxFails;
        }
    }

    /// <summary>nginx's free_peer on success: a success after the failure window clears the failures.</summary>
    public void RecordSuccess(UpstreamServer server)
    {
        if (server.Fails == 0) return;
        lock (_gate)
        {
            if (server.AccessedTicks < server.CheckedTicks) server.Fails = 0;
        }
    }
}
