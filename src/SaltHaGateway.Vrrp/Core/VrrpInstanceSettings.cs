using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Core;

/// <summary>Validated, immutable settings of one VRRP instance as the core sees them.</summary>
public sealed record VrrpInstanceSettings
{
    public required string Name { get; init; }
    public VrrpVersion Version { get; init; } = VrrpVersion.V2;
    public required byte VirtualRouterId { get; init; }
    public byte Priority { get; init; } = 100;
    /// <summary>Advertisement interval in centiseconds (v2 values are whole seconds × 100).</summary>
    public ushort IntervalCentiseconds { get; init; } = 100;
    public bool Preempt { get; init; } = true;
    public TimeSpan PreemptDelay { get; init; } = TimeSpan.Zero;
    /// <summary>After start the node never becomes master before this much time has passed.</summary>
    public TimeSpan StartupListen { get; init; } = TimeSpan.Zero;
    public int DownTimerAdverts { get; init; } = 3;
    /// <summary>
    /// A master that yields to a higher priority first sends one more advert, so that after a healed split brain
    /// the winner always hears of the loser and re-sends GARP (keepalived's higher_prio_send_advert).
    /// </summary>
    public bool HigherPrioritySendAdvert { get; init; } = true;
    /// <summary>
    /// How long a node that lost mastership to a peer keeps answering for the VIPs (make-before-break): the peer's
    /// gratuitous ARP is already out, but packets that clients sent before they learned the new address are still
    /// on their way. Zero releases at once, as keepalived does.
    /// </summary>
    public TimeSpan ReleaseDelay { get; init; } = TimeSpan.FromMilliseconds(200);
    public IReadOnlyList<VirtualAddress> VirtualAddresses { get; init; } = [];
    public VrrpAuthType AuthType { get; init; } = VrrpAuthType.None;
    /// <summary>Exactly 8 bytes (NUL padded) when <see cref="AuthType"/> is PASS.</summary>
    public ReadOnlyMemory<byte> AuthData { get; init; } = new byte[8];
    public IReadOnlyList<IPAddress> UnicastPeers { get; init; } = [];
    public GarpSettings Garp { get; init; } = new();
    /// <summary>keepalived's lower_prio_no_advert: a master hearing a lower-priority master does not answer with an advert.</summary>
    public bool LowerPriorityNoAdvert { get; init; }
    public bool IsUnicast => UnicastPeers.Count > 0;
    /// <summary>The family of the VIPs, which the adverts carry (an instance has one: keepalived segregates them).</summary>
    public AddressFamily Family => VirtualAddresses.Count > 0 ? VirtualAddresses[0].Address.AddressFamily : AddressFamily.InterNetwork;
    /// <summary>The advert destination when multicast: 224.0.0.18 or ff02::12.</summary>
    public IPAddress MulticastGroup => Family == AddressFamily.InterNetworkV6 ? VrrpPacketCodec.MulticastGroupV6 : VrrpPacketCodec.MulticastGroup;
    public TimeSpan AdvertisementInterval => TimeSpan.FromMilliseconds(IntervalCentiseconds * 10.0);
}

/// <summary>How many gratuitous ARPs to send and when (keepalived's garp_* keywords).</summary>
public sealed record GarpSettings
{
    public int MasterRepeat { get; init; } = 5;
    public TimeSpan MasterDelay { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan MasterRefresh { get; init; } = TimeSpan.Zero;
    public int LowerPriorityRepeat { get; init; } = 5;
    /// <summary>Gratuitous ARPs per periodic refresh (garp_master_refresh_repeat).</summary>
    public int MasterRefreshRepeat { get; init; } = 1;
    /// <summary>Pause between the gratuitous ARPs of one burst (vrrp_garp_interval); zero sends them back to back.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.Zero;
    /// <summary>Pause between the unsolicited Neighbour Advertisements of one burst (vrrp_gna_interval).</summary>
    public TimeSpan NaInterval { get; init; } = TimeSpan.Zero;
}

/// <summary>A virtual address with its prefix length (default /32; /128 for IPv6 through <see cref="Configuration.IpSpecParser"/>).</summary>
public readonly record struct VirtualAddress(IPAddress Address, int PrefixLength)
{
    public override string ToString() => $"{Address}/{PrefixLength}";

    public static bool TryParse(string text, out VirtualAddress value)
    {
        value = default;
        var parts = text.Trim().Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            return false;
        }
        int prefix = 32;
        if (parts.Length == 2 && (!int.TryParse(parts[1], out prefix) || prefix is < 1 or > 32))
        {
            return false;
        }
        value = new VirtualAddress(ip, prefix);
        return true;
    }
}
