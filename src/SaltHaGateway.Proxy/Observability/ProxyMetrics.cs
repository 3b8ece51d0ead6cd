using System.Collections.Concurrent;
using Prometheus;

namespace SaltHaGateway.Proxy.Observability;

/// <summary>The proxy's Prometheus metrics. Labelled children are cached, so the request path does a dictionary
/// lookup and an increment, never a label-array allocation.</summary>
public sealed class ProxyMetrics
{
    private static readonly double[] DurationBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _retries;
    private readonly ConcurrentDictionary<(string Route, string Upstream, string Server, int Code), Counter.Child> _requestChildren = new();
    private readonly ConcurrentDictionary<string, Histogram.Child> _durationChildren = new();

    public ProxyMetrics(CollectorRegistry? registry = null)
    {
        var factory = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        // Exemplars would attach trace ids to every observation: work per request that nothing here reads.
        factory.ExemplarBehavior = ExemplarBehavior.NoExemplars();
        _requests = factory.CreateCounter("saltha_proxy_requests_total",
            "Requests answered by the proxy, by route, upstream, the server that answered last (empty if none) and status code.",
            new CounterConfiguration { LabelNames = ["route", "upstream", "server", "code"] });
        _duration = factory.CreateHistogram("saltha_proxy_request_duration_seconds",
            "Time from the request reaching the proxy to the response headers being forwarded, by upstream.",
            new HistogramConfiguration { LabelNames = ["upstream"], Buckets = DurationBuckets });
        _retries = factory.CreateCounter("saltha_upstream_retries_total",
            "Requests passed to the next server after a failed try (proxy_next_upstream), by upstream and reason.",
            new CounterConfiguration { LabelNames = ["upstream", "reason"] });
        ReloadTotal = factory.CreateCounter("saltha_config_reload_total",
            "Config loads by result (success or failure); a failure keeps the running config.",
            new CounterConfiguration { LabelNames = ["result"] });
        Generation = factory.CreateGauge("saltha_config_generation", "Generation of the config in force; starts at 1 and goes up by one per applied reload.");
        LastReloadSuccess = factory.CreateGauge("saltha_config_last_reload_success", "1 if the last attempt to load the config succeeded, else 0.");
        UpstreamUp = factory.CreateGauge("saltha_upstream_up",
            "1 if the server may take requests now (not down, not failed, health checks pass), else 0.",
            new GaugeConfiguration { LabelNames = ["upstream", "server"] });
        ReloadTotal.WithLabels("success");
        ReloadTotal.WithLabels("failure");
    }

    public Counter ReloadTotal { get; }
    public Gauge Generation { get; }
    public Gauge LastReloadSuccess { get; }
    public Gauge UpstreamUp { get; }

    public void RecordRequest(string route, string upstream, string server, int code, double seconds)
    {
        RequestChild(route, upstream, server, code).Inc();
        _durationChildren.GetOrAdd(upstream, static (u, h) => h.WithLabels(u), _duration).Observe(seconds);
    }

    /// <summary>
    /// The same, with the series of the last request remembered in <paramref name="last"/> (a field of the server or
    /// upstream that answered): consecutive requests of one route and status skip the label lookup.
    /// </summary>
    public void RecordRequest(ref RequestSeries? last, ref Histogram.Child? duration, string route, string upstream, string server, int code, double seconds)
    {
        var series = last;
        if (series is null || series.Code != code || !ReferenceEquals(series.Route, route))
        {
            series = new RequestSeries(route, code, RequestChild(route, upstream, server, code));
            last = series;
        }
        series.Child.Inc();
        (duration ??= _durationChildren.GetOrAdd(upstream, static (u, h) => h.WithLabels(u), _duration)).Observe(seconds);
    }

    /// <summary>Requests answered so far, and how many of them with a 5xx status (the admin page's rates).</summary>
    public (double Requests, double ServerErrors) RequestTotals()
    {
        double requests = 0, errors = 0;
        foreach (var (key, child) in _requestChildren)
        {
            var value = child.Value;
            requests += value;
            if (key.Code >= 500) errors += value;
        }
        return (requests, errors);
    }

    private Counter.Child RequestChild(string route, string upstream, string server, int code) =>
        _requestChildren.GetOrAdd((route, upstream, server, code),
            static (k, c) => c.WithLabels(k.Route, k.Upstream, k.Server, k.Code.ToString(System.Globalization.CultureInfo.InvariantCulture)), _requests);

    public void RecordRetry(string upstream, string reason) => _retries.WithLabels(upstream, reason).Inc();
}

/// <summary>One labelled request counter, remembered with the route and status it counts.</summary>
public sealed record RequestSeries(string Route, int Code, Counter.Child Child);
