using System.Net;

namespace SaltHaGateway.Vrrp.Core;

/// <summary>A consistent view of one instance for status output and tests.</summary>
public sealed record VrrpSnapshot(
    VrrpState State,
    byte Priority,
    bool Faulted,
    IPAddress? MasterAddress,
    byte MasterPriority,
    ushort MasterIntervalCentiseconds,
    DateTimeOffset? LastTransition,
    bool HoldingAddresses = false);
