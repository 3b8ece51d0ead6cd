using System.Collections.Concurrent;
using SaltHaGateway.Health;

namespace HealthBench;

/// <summary>Real socket probes, counted per target port (probe traffic per server).</summary>
internal sealed class CountingProber : IHealthProber
{
    private readonly SocketHealthProber _inner = new();
    public ConcurrentDictionary<int, long> PerPort { get; } = new();

    public Task<ProbeResult> ProbeAsync(ProbeDefinition probe, CancellationToken ct)
    {
        PerPort.AddOrUpdate(probe.Port, 1, (_, n) => n + 1);
        return _inner.ProbeAsync(probe, ct);
    }
}
