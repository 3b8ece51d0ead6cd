using Prometheus;

namespace SaltHaGateway.Proxy.Sticky;

/// <summary>
/// <c>saltha_sticky_*</c>: table size, lookups (hit/miss), learned bindings, evictions and rebinds per upstream, read
/// from the tables at each scrape (the request path only bumps plain counters); replication per peer.
/// </summary>
public sealed class StickyMetrics
{
    private readonly Gauge _entries;
    private readonly Gauge _capacity;
    private readonly Counter _lookups;
    private readonly Counter _learned;
    private readonly Counter _evictions;
    private readonly Counter _rebinds;
    private readonly Counter _replicated;
    private readonly Gauge _lag;

    public StickyMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        string[] upstream = ["upstream"];
        _entries = factory.CreateGauge("saltha_sticky_entries", "Session bindings held by the upstream's sticky learn zone.", new GaugeConfiguration { LabelNames = upstream });
        _capacity = factory.CreateGauge("saltha_sticky_capacity", "Bindings the zone holds before the least recently used is evicted.", new GaugeConfiguration { LabelNames = upstream });
        _lookups = factory.CreateCounter("saltha_sticky_lookups_total",
            "Requests carrying a session value, by result: hit (bound server found) or miss (unknown or expired).",
            new CounterConfiguration { LabelNames = ["upstream", "result"] });
        _learned = factory.CreateCounter("saltha_sticky_learned_total", "Bindings learned from upstream responses.", new CounterConfiguration { LabelNames = upstream });
        _evictions = factory.CreateCounter("saltha_sticky_evictions_total", "Bindings evicted because the zone was full.", new CounterConfiguration { LabelNames = upstream });
        _rebinds = factory.CreateCounter("saltha_sticky_rebinds_total",
            "Requests whose bound server could not take them and went to another server.", new CounterConfiguration { LabelNames = upstream });
        _replicated = factory.CreateCounter("saltha_sticky_replicated_total", "Bindings received from a peer gateway.", new CounterConfiguration { LabelNames = ["peer"] });
        _lag = factory.CreateGauge("saltha_sticky_replication_lag_seconds",
            "Age of the newest binding in the last batch from a peer when it was applied (includes clock skew between the nodes).",
            new GaugeConfiguration { LabelNames = ["peer"] });
    }

    internal void Replicated(string peer, int count, double lagSeconds)
    {
        _replicated.WithLabels(peer).Inc(count);
        _lag.WithLabels(peer).Set(lagSeconds);
    }

    /// <summary>Copies the tables' counters into the metrics (before each scrape).</summary>
    public void Update(StickyTables tables)
    {
        foreach (var t in tables.All)
        {
            _entries.WithLabels(t.Upstream).Set(t.Count);
            _capacity.WithLabels(t.Upstream).Set(t.Capacity);
            Count(t.Upstream, t.Counters);
            _learned.WithLabels(t.Upstream).IncTo(Interlocked.Read(ref t.Counters.Learned));
            _evictions.WithLabels(t.Upstream).IncTo(Interlocked.Read(ref t.Counters.Evictions));
        }
        foreach (var (upstream, counters) in tables.AllCookieCounters) Count(upstream, counters);
    }

    private void Count(string upstream, StickyCounters c)
    {
        _lookups.WithLabels(upstream, "hit").IncTo(Interlocked.Read(ref c.Hits));
        _lookups.WithLabels(upstream, "miss").IncTo(Interlocked.Read(ref c.Misses));
        _rebinds.WithLabels(upstream).IncTo(Interlocked.Read(ref c.Rebinds));
    }
}
