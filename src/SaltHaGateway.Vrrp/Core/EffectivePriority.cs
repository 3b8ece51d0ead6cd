namespace SaltHaGateway.Vrrp.Core;

/// <summary>keepalived's effective priority: base + weights of tracked conditions, clamped 1..254; 255 is never adjusted.</summary>
public static class EffectivePriority
{
    /// <param name="conditions">Weight and current state of each tracked condition.</param>
    /// <returns>The priority to advertise and whether a weight-0 condition is down (Fault).</returns>
    public static (byte Priority, bool Faulted) Compute(byte basePriority, IEnumerable<(int Weight, bool IsUp)> conditions)
    {
        int total = basePriority;
        bool faulted = false;
        foreach (var (weight, isUp) in conditions)
        {
            if (weight == 0)
            {
                faulted |= !isUp;
            }
            else if (weight > 0 && isUp)
            {
                total += weight;
            }
            else if (weight < 0 && !isUp)
            {
                total += weight;
            }
        }
        byte priority = basePriority == 255 ? (byte)255 : (byte)Math.Clamp(total, 1, 254);
        return (priority, faulted);
    }

    /// <summary>Base plus the deltas of <see cref="TrackContribution"/>, clamped 1..254; any fault faults.</summary>
    public static (byte Priority, bool Faulted) Combine(byte basePriority, IEnumerable<(int Delta, bool Fault)> contributions)
    {
        int total = basePriority;
        bool faulted = false;
        foreach (var (delta, fault) in contributions)
        {
            total += delta;
            faulted |= fault;
        }
        byte priority = basePriority == 255 ? (byte)255 : (byte)Math.Clamp(total, 1, 254);
        return (priority, faulted);
    }
}
