using Prometheus;

namespace SaltHaGateway.Hosting;

/// <summary>
/// Limits prometheus-net's automatic .NET adapters to the runtime's own instruments (GC, thread pool, JIT, memory).
/// By default they subscribe to every Meter, including ASP.NET Core's and HttpClient's per-request histograms, which
/// would add work to every proxied request and duplicate the gateway's own request metrics.
/// </summary>
public static class RuntimeMetrics
{
    private static int _configured;

    public static void Configure()
    {
        if (Interlocked.Exchange(ref _configured, 1) == 1) return;
        Metrics.ConfigureMeterAdapter(o => o.InstrumentFilterPredicate = instrument => instrument.Meter.Name == "System.Runtime");
        Metrics.ConfigureEventCounterAdapter(o => o.EventSourceFilterPredicate = source => source == "System.Runtime");
    }
}
