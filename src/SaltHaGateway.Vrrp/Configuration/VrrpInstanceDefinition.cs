using System.Net;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Configuration;

/// <summary>A validated instance: core settings plus what only the adapters need.</summary>
public sealed record VrrpInstanceDefinition(
    VrrpInstanceSettings Settings,
    string Interface,
    IPAddress? UnicastSource,
    IReadOnlyList<TrackDefinition> Track,
    VrrpNotifyOptions Notify,
    VirtualIpObjects? IpObjects = null,
    VmacDefinition? Vmac = null)
{
    public VirtualIpObjects Objects => IpObjects ?? VirtualIpObjects.Empty;

    /// <summary>The sync group this instance belongs to, if any.</summary>
    public string? SyncGroup { get; init; }
}

public enum TrackKind
{
    Condition,
    Interface,
    Script,
    File,
    Process,
}

public sealed record TrackDefinition(TrackKind Kind, string Target, int Weight)
{
    /// <summary>keepalived's "reverse": the weight's sign is flipped, and for weight 0 up means fault.</summary>
    public bool Reverse { get; init; }

    public string ConditionName => Kind switch
    {
        TrackKind.Interface => "interface:" + Target,
        TrackKind.Script => "script:" + Target,
        TrackKind.File => "track_file:" + Target,
        TrackKind.Process => "track_process:" + Target,
        _ => Target,
    };
}

/// <summary>keepalived's use_vmac: a macvlan named <paramref name="Interface"/> with the virtual router MAC.</summary>
public sealed record VmacDefinition(string Interface, byte[] Mac, bool TransmitOnBase);
