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
    VrrpTrackStatus[] Track)
{
    /// <summary>The vrrp_sync_group this instance moves with, if any.</summary>
    public string? SyncGroup { get; init; }
}

public sealed record VrrpTrackStatus(string Condition, int Weight, bool Up)
{
    public bool Reverse { get; init; }
    /// <summary>A track_file's number, or how many processes a track_process counted.</summary>
    public long? Value { get; init; }
}

/// <summary>One vrrp_sync_group in the /vrrp/status JSON.</summary>
public sealed record VrrpSyncGroupStatus(string Group, string State, string[] Instances);
