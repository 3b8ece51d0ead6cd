namespace SaltHaGateway.Health;

public enum HealthTransition
{
    None,
    WentUp,
    WentDown,
}

/// <summary>
/// The module's two streak counters. A success adds one to rise and zeroes fall, a failure the reverse;
/// an up server goes down at <c>fall</c> consecutive failures, a down server comes up at <c>rise</c>
/// consecutive successes. Counters are not capped, as on the module's status page.
/// One deliberate addition (on by default): a server that has never been checked comes up on its
/// first success, so the start-up round can open traffic without waiting <c>rise</c> intervals.
/// Not thread-safe; the owner serialises calls.
/// </summary>
public sealed class RiseFallStateMachine
{
    private readonly int _riseThreshold;
    private readonly int _fallThreshold;
    private readonly bool _firstSuccessMarksUp;

    public RiseFallStateMachine(int rise, int fall, bool startUp, bool firstSuccessMarksUp)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rise, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fall, 1);
        _riseThreshold = rise;
        _fallThreshold = fall;
        _firstSuccessMarksUp = firstSuccessMarksUp;
        IsUp = startUp;
    }

    public bool IsUp { get; private set; }
    public long Rise { get; private set; }
    public long Fall { get; private set; }
    /// <summary>False until the first result is recorded.</summary>
    public bool HasResult { get; private set; }

    /// <summary>Moving towards the other state (some streak started but the threshold is not reached).</summary>
    public bool InTransition => IsUp ? Fall > 0 : Rise > 0;

    public HealthTransition Record(bool success)
    {
        var first = !HasResult;
        HasResult = true;
        if (success)
        {
            Rise++;
            Fall = 0;
            if (!IsUp && (Rise >= _riseThreshold || (first && _firstSuccessMarksUp)))
            {
                IsUp = true;
                return HealthTransition.WentUp;
            }
        }
        else
        {
            Fall++;
            Rise = 0;
            if (IsUp && Fall >= _fallThreshold)
            {
                IsUp = false;
                return HealthTransition.WentDown;
            }
        }
        return HealthTransition.None;
    }
}
