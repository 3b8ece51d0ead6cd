namespace SaltHaGateway.Health;

/// <summary>
/// Runs one check. The caller owns the timeout budget and cancels <paramref name="ct"/> when it runs out;
/// a prober turns every other error into a failed <see cref="ProbeResult"/>.
/// </summary>
public interface IHealthProber
{
    Task<ProbeResult> ProbeAsync(ProbeDefinition probe, CancellationToken ct);
}
