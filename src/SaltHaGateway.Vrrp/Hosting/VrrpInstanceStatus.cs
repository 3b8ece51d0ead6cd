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
    VrrpTrackStatus[] Track,
    VrrpObjectsStatus? Objects = null)
{
    /// <summary>The vrrp_sync_group this instance moves with, if any.</summary>
    public string? SyncGroup { get; init; }
    /// <summary>"ipv4" or "ipv6": the family of the VIPs, so of the adverts (IPv6 is VRRPv3 to ff02::12).</summary>
    public string Family { get; init; } = "ipv4";
}

public sealed record VrrpTrackStatus(string Condition, int Weight, bool Up)
{
    public bool Reverse { get; init; }
    /// <summary>A track_file's number, or how many processes a track_process counted.</summary>
    public long? Value { get; init; }
}

/// <summary>One vrrp_sync_group in the /vrrp/status JSON.</summary>
public sealed record VrrpSyncGroupStatus(string Group, string State, string[] Instances);

/// <summary>
/// The addresses (with their dev/label/scope options), excluded addresses, routes and rules an instance moves, and
/// whether this node holds them now (they follow the VIPs: added on becoming master, removed on leaving).
/// </summary>
public sealed record VrrpObjectsStatus(bool Installed, string[] Addresses, string[] ExcludedAddresses, string[] Routes, string[] Rules, string? Vmac = null)
{
    internal static VrrpObjectsStatus From(SaltHaGateway.Vrrp.Configuration.VirtualIpObjects o, bool installed, string? vmac) => new(
        installed,
        o.Addresses.Select(a => a.ToString()).ToArray(),
        o.Excluded.Select(a => a.ToString()).ToArray(),
        o.Routes.Select(r => r.ToString()).ToArray(),
        o.Rules.Select(r => r.ToString()).ToArray(),
        vmac);
}
