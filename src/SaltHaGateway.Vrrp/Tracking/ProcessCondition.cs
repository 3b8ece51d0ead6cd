using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>
/// vrrp_track_process: up while enough matching processes run. keepalived hears of every fork and exit from the
/// kernel's process connector; this scans /proc every IntervalSeconds (default 1 s) instead, so a process that dies
/// is noticed within one interval (plus terminate_delay).
/// </summary>
internal sealed class ProcessCondition : PolledCondition, ITrackedValue
{
    private readonly VrrpTrackProcessOptions _options;
    private ProcessQuorum? _quorum;

    public ProcessCondition(string name, VrrpTrackProcessOptions options)
        : base("track_process:" + name, InitialState(options))
    {
        _options = options;
    }

    /// <summary>The number of matching processes at the last scan.</summary>
    public long Value => _quorum?.Count ?? ProcessTable.Count(_options);

    protected override TimeSpan Interval => TimeSpan.FromSeconds(_options.IntervalSeconds);

    protected override Task<bool> EvaluateAsync(bool current, CancellationToken ct)
    {
        _quorum ??= new ProcessQuorum(_options.Quorum, _options.QuorumMax, TimeSpan.FromSeconds(_options.ForkDelaySeconds),
            TimeSpan.FromSeconds(_options.TerminateDelaySeconds), Time);
        return Task.FromResult(_quorum.Record(ProcessTable.Count(_options)));
    }

    private static bool InitialState(VrrpTrackProcessOptions o)
    {
        int n = ProcessTable.Count(o);
        return n >= o.Quorum && (o.QuorumMax is not { } max || n <= max);
    }
}
