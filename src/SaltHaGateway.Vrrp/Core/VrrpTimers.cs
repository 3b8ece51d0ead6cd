namespace SaltHaGateway.Vrrp.Core;

/// <summary>RFC 3768 §6.1 / RFC 5798 §6.1 timer arithmetic.</summary>
public static class VrrpTimers
{
    /// <summary>v2: (256 − p)/256 s; v3: (256 − p) × Master_Adver_Interval / 256.</summary>
    public static TimeSpan SkewTime(Wire.VrrpVersion version, byte priority, ushort masterIntervalCentiseconds)
    {
        long unitTicks = version == Wire.VrrpVersion.V2
            ? TimeSpan.TicksPerSecond
            : masterIntervalCentiseconds * TimeSpan.TicksPerMillisecond * 10;
        return TimeSpan.FromTicks((256 - priority) * unitTicks / 256);
    }

    public static TimeSpan MasterDownInterval(Wire.VrrpVersion version, byte priority, ushort masterIntervalCentiseconds, int downTimerAdverts = 3) =>
        TimeSpan.FromTicks(downTimerAdverts * masterIntervalCentiseconds * TimeSpan.TicksPerMillisecond * 10)
        + SkewTime(version, priority, masterIntervalCentiseconds);
}
