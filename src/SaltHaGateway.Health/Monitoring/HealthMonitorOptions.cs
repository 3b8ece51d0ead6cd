namespace SaltHaGateway.Health;

/// <summary>
/// The improvements over nginx_upstream_check_module, all on by default; switching them off gives the
/// module's behaviour (used by the benchmark as the side-by-side baseline).
/// </summary>
public sealed class HealthMonitorOptions
{
    /// <summary>A never-checked server comes up on its first success (start-up warming) instead of after <c>rise</c>.</summary>
    public bool FirstSuccessMarksUp { get; set; } = true;

    /// <summary>
    /// Probe at <c>min(interval, FastInterval)</c> while a streak is under way and right after a passive
    /// failure report (HAProxy fastinter); thresholds stay the same.
    /// </summary>
    public bool FastProbes { get; set; } = true;

    public TimeSpan FastInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Extra random delay, as a fraction of <c>interval</c>, added after each check (never subtracted).</summary>
    public double Jitter { get; set; } = 0.1;

    /// <summary>Do not count a timeout while this process's scheduler lag exceeded the check timeout.</summary>
    public bool LagGuard { get; set; } = true;

    public TimeSpan LagTick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Added to the largest check timeout to bound <see cref="UpstreamHealthMonitor.RunFirstRoundAsync"/>.</summary>
    public TimeSpan FirstRoundSlack { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The module's settings: no warming, no fast probes, no jitter beyond the interval, no lag guard.</summary>
    public static HealthMonitorOptions ModuleCompatible() => new()
    {
        FirstSuccessMarksUp = false,
        FastProbes = false,
        Jitter = 0,
        LagGuard = false,
    };
}
