namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>
/// track_process's verdict from a count of matching processes: up while Quorum ≤ count ≤ QuorumMax, but only once
/// that has held for fork_delay (a fork/exec bounce), and down only once the loss has held for terminate_delay
/// (a restart). The first count decides at once, as keepalived's start-up scan does.
/// </summary>
public sealed class ProcessQuorum(int quorum, int? quorumMax, TimeSpan forkDelay, TimeSpan terminateDelay, TimeProvider time)
{
    private bool? _up;
    private DateTimeOffset? _pendingSince;

    public int Count { get; private set; }

    public bool IsUp => _up ?? false;

    /// <returns>The state after this count.</returns>
    public bool Record(int count)
    {
        Count = count;
        bool quorate = count >= quorum && (quorumMax is not { } max || count <= max);
        if (_up is null)
        {
            _up = quorate;
            return quorate;
        }
        if (quorate == _up)
        {
            _pendingSince = null;
            return quorate;
        }
        var now = time.GetUtcNow();
        _pendingSince ??= now;
        var delay = quorate ? forkDelay : terminateDelay;
        if (now - _pendingSince >= delay)
        {
            _up = quorate;
            _pendingSince = null;
        }
        return _up.Value;
    }
}
