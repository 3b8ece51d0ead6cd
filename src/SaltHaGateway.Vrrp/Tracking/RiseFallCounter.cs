namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>vrrp_script result counting: up after <c>rise</c> consecutive successes, down after <c>fall</c> failures.</summary>
public sealed class RiseFallCounter(int rise, int fall, bool initiallyUp)
{
    private int _successes;
    private int _failures;

    public bool IsUp { get; private set; } = initiallyUp;

    /// <returns>True when the state changed.</returns>
    public bool Record(bool success)
    {
        if (success)
        {
            _failures = 0;
            _successes++;
            if (!IsUp && _successes >= rise)
            {
                IsUp = true;
                return true;
            }
        }
        else
        {
            _successes = 0;
            _failures++;
            if (IsUp && _failures >= fall)
            {
                IsUp = false;
                return true;
            }
        }
        return false;
    }
}
