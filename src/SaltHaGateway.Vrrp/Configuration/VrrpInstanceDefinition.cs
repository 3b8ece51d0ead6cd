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
}

public enum TrackKind
{
    Condition,
    Interface,
    Script,
}

public sealed record TrackDefinition(TrackKind Kind, string Target, int Weight)
{
    public string ConditionName => Kind switch
    {
        TrackKind.Interface => "interface:" + Target,
        TrackKind.Script => "script:" + Target,
        _ => Target,
    };
}

/// <summary>keepalived's use_vmac: a macvlan named <paramref name="Interface"/> with the virtual router MAC.</summary>
public sealed record VmacDefinition(string Interface, byte[] Mac, bool TransmitOnBase);
