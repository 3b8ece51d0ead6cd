namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>One instance in the /vrrp/status JSON.</summary>
public sealed record VrrpInstanceStatus(
    string Instance,
    string State,
    string Interface,
    int VirtualRouterId,
    int Version,
    int BasePriority,
    int EffectivePriority,
    bool Faulted,
    bool Maintenance,
    bool HoldingAddresses,
    string SourceAddress,
    string? MasterAddress,
    string[] VirtualAddresses,
    DateTimeOffset? LastTransition,
    long AdvertsSent,
    long AdvertsReceived,
    Dictionary<string, long> Rejected,
    VrrpTrackStatus[] Track);

public sealed record VrrpTrackStatus(string Condition, int Weight, bool Up);
