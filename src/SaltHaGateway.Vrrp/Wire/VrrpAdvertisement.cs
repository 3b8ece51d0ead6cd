using System.Net;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>
/// One VRRP advertisement as carried on the wire. The interval is kept in centiseconds for both
/// versions (v2 carries whole seconds, v3 centiseconds) so timers need not care about the version.
/// </summary>
public sealed record VrrpAdvertisement(
    VrrpVersion Version,
    byte VirtualRouterId,
    byte Priority,
    ushort IntervalCentiseconds,
    IReadOnlyList<IPAddress> Addresses,
    VrrpAuthType AuthType = VrrpAuthType.None,
    ReadOnlyMemory<byte> AuthData = default)
{
    public TimeSpan Interval => TimeSpan.FromMilliseconds(IntervalCentiseconds * 10);
}

public enum VrrpVersion : byte
{
    V2 = 2,
    V3 = 3,
}

/// <summary>VRRPv2 authentication types as keepalived understands them (2 = AH is not supported here).</summary>
public enum VrrpAuthType : byte
{
    None = 0,
    Password = 1,
    AuthenticationHeader = 2,
}
