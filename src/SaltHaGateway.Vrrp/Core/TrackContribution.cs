namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// What one tracked item does to an instance, with keepalived 2.2.7's arithmetic (vrrp_track.c, track_file.c):
/// a priority delta, or a fault.
/// </summary>
public static class TrackContribution
{
    /// <summary>
    /// An up/down item (interface, script, process, host condition). Weight 0: down is a fault (up, with reverse).
    /// Positive weight: added while up; negative: added while down; reverse flips the sign of what is added.
    /// </summary>
    public static (int Delta, bool Fault) OfState(int weight, bool reverse, bool isUp)
    {
        if (weight == 0)
        {
            return (0, reverse ? isUp : !isUp);
        }
        bool counts = weight > 0 ? isUp : !isUp;
        return (counts ? weight * (reverse ? -1 : 1) : 0, false);
    }

    /// <summary>
    /// A track_file value. Weight 0: a non-zero value is a fault (zero, with reverse). Otherwise value × weight
    /// (× −1 with reverse), clamped to −254..253, is added; −254 or less is a fault.
    /// </summary>
    public static (int Delta, bool Fault) OfValue(int weight, bool reverse, long value)
    {
        if (weight == 0)
        {
            return (0, reverse ? value == 0 : value != 0);
        }
        long status = Math.Clamp(value * weight * (reverse ? -1 : 1), -254, 253);
        return status == -254 ? (0, true) : ((int)status, false);
    }
}
