using System.Buffers.Binary;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Net;
using System.Text;
using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// Adds and removes VIPs, routes and policy rules with rtnetlink (RTM_NEW/DELADDR, RTM_NEW/DELROUTE,
/// RTM_NEW/DELRULE), as keepalived does: no process spawn on the failover path. "Already there" (EEXIST) and
/// "already gone" (EADDRNOTAVAIL, ESRCH, ENOENT, ENODEV) count as success.
/// </summary>
internal sealed class NetlinkAddressEditor : IDisposable
{
    private const int AfNetlink = 16;
    private const int NetlinkRoute = 0;
    private const ushort RtmNewAddr = 20;
    private const ushort RtmDelAddr = 21;
    private const ushort NlmsgError = 2;
    private const ushort NlmFRequest = 0x1;
    private const ushort NlmFAck = 0x4;
    private const ushort NlmFExcl = 0x200;
    private const ushort NlmFCreate = 0x400;
    private const ushort RtmNewRoute = 24;
    private const ushort RtmDelRoute = 25;
    private const ushort RtmNewRule = 32;
    private const ushort RtmDelRule = 33;
    private const ushort IfaAddress = 1;
    private const ushort IfaLocal = 2;
    private const ushort IfaLabel = 3;
    private const ushort IfaBroadcast = 4;
    private const ushort IfaCacheInfo = 6;
    private const byte IfaFNoDad = 0x02;
    private const ushort RtaDst = 1;
    private const ushort RtaOif = 4;
    private const ushort RtaGateway = 5;
    private const ushort RtaPriority = 6;
    private const ushort RtaPrefSrc = 7;
    private const ushort RtaMultipath = 9;
    private const ushort RtaTable = 15;
    private const byte RtScopeLink = 253;
    private const byte RtScopeNowhere = 255;
    private const uint RtnhFOnLink = 4;
    private const ushort FraDst = 1;
    private const ushort FraSrc = 2;
    private const ushort FraIifName = 3;
    private const ushort FraPriority = 6;
    private const ushort FraFwMark = 10;
    private const ushort FraTable = 15;
    private const ushort FraFwMask = 16;
    private const ushort FraOifName = 17;
    private const byte FrActToTbl = 1;
    private const int EPERM = 1;
    private const int ENOENT = 2;
    private const int ESRCH = 3;
    private const int ENODEV = 19;
    private const int EEXIST = 17;
    private const int EINVAL = 22;
    private const int ENETUNREACH = 101;
    private const int EADDRNOTAVAIL = 99;
    private readonly Socket _socket;
    private readonly object _gate = new();
    private uint _sequence;

    public NetlinkAddressEditor()
    {
        int fd = LibC.socket(AfNetlink, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NetlinkRoute);
        if (fd < 0)
        {
            throw new VrrpStartupException($"cannot open rtnetlink socket: errno {Marshal.GetLastPInvokeError()}");
        }
        _socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { ReceiveTimeout = 2000 };
    }

    public CommandResult Add(VirtualAddress vip, int ifIndex, string device) =>
        Add(new AddressSpec(vip, device, null, 0, null, false, false), ifIndex);

    public CommandResult Remove(VirtualAddress vip, int ifIndex, string device) =>
        Remove(new AddressSpec(vip, device, null, 0, null, false, false), ifIndex);

    public CommandResult Add(AddressSpec a, int ifIndex) => ChangeAddress(RtmNewAddr, a, ifIndex);

    public CommandResult Remove(AddressSpec a, int ifIndex) => ChangeAddress(RtmDelAddr, a, ifIndex);

    public CommandResult Add(RouteSpec r, int oifIndex) => ChangeRoute(RtmNewRoute, r, oifIndex);

    public CommandResult Remove(RouteSpec r, int oifIndex) => ChangeRoute(RtmDelRoute, r, oifIndex);

    public CommandResult Add(RuleSpec r) => ChangeRule(RtmNewRule, r);

    public CommandResult Remove(RuleSpec r) => ChangeRule(RtmDelRule, r);

    private CommandResult ChangeAddress(ushort type, AddressSpec a, int ifIndex)
    {
        bool add = type == RtmNewAddr;
        var m = new NetlinkMessage(type, (ushort)(NlmFRequest | NlmFAck | (add ? NlmFCreate | NlmFExcl : 0)));
        bool v4 = a.Address.Address.AddressFamily == AddressFamily.InterNetwork;
        // ifaddrmsg: family, prefixlen, flags, scope, ifindex
        Span<byte> ifa = stackalloc byte[8];
        ifa[0] = Family(a.Address.Address.AddressFamily);
        ifa[1] = (byte)a.Address.PrefixLength;
        ifa[2] = (byte)(add && a.SkipsDad ? IfaFNoDad : 0);
        ifa[3] = a.Scope;
        BinaryPrimitives.WriteInt32LittleEndian(ifa[4..], ifIndex);
        m.Fixed(ifa);
        m.Address(IfaLocal, a.Address.Address);
        if (v4) m.Address(IfaAddress, a.Address.Address);
        if (add && a.Broadcast is not null) m.Address(IfaBroadcast, a.Broadcast);
        if (add && a.Label is not null) m.String(IfaLabel, a.Label);
        if (add && a.EffectivePreferredLifetime is { } preferred)
        {
            // struct ifa_cacheinfo: preferred (0 = deprecated, keepalived's default for an IPv6 /128), valid forever.
            var cacheInfo = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(cacheInfo, preferred);
            BinaryPrimitives.WriteUInt32LittleEndian(cacheInfo.AsSpan(4), uint.MaxValue);
            m.Bytes(IfaCacheInfo, cacheInfo);
        }
        string what = $"{(add ? "add" : "delete")} address {a.Address} on {a.Device}{(a.Label is null ? "" : " label " + a.Label)}";
        return Transact(m, what, EADDRNOTAVAIL, ENODEV);
    }

    /// <summary>RTA_MULTIPATH: per next hop a struct rtnexthop (len, flags, hops = weight - 1, ifindex), then its RTA_GATEWAY.</summary>
    private static bool TryMultipath(RouteSpec r, int routeDeviceIndex, out byte[] payload, out string? missing)
    {
        var body = new List<byte>();
        foreach (var hop in r.NextHops)
        {
            int index = r.Device is null ? 0 : routeDeviceIndex;   // none named: the kernel finds it from the gateway
            if (hop.Device is not null)
            {
                if (NetworkInterfaceInfo.IndexOf(hop.Device) is not { } found)
                {
                    payload = [];
                    missing = hop.Device;
                    return false;
                }
                index = found;
            }
            var gateway = new NetlinkMessage(0, 0);
            if (hop.Gateway is not null) gateway.Address(RtaGateway, hop.Gateway);
            var attributes = gateway.Body;
            var rtnh = new byte[8];
            BinaryPrimitives.WriteUInt16LittleEndian(rtnh, (ushort)(8 + attributes.Length));
            rtnh[2] = (byte)(hop.OnLink ? RtnhFOnLink : 0);
            rtnh[3] = (byte)((hop.Weight ?? 1) - 1);
            BinaryPrimitives.WriteInt32LittleEndian(rtnh.AsSpan(4), index);
            body.AddRange(rtnh);
            body.AddRange(attributes);
        }
        payload = [.. body];
        missing = null;
        return true;
    }

    private CommandResult ChangeRoute(ushort type, RouteSpec r, int oifIndex)
    {
        bool add = type == RtmNewRoute;
        // Like keepalived's default ("prepend"): create, and an identical route already there counts as done.
        var m = new NetlinkMessage(type, (ushort)(NlmFRequest | NlmFAck | (add ? NlmFCreate : 0)));
        // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
        Span<byte> rtm = stackalloc byte[12];
        rtm[0] = Family(r.Family);
        rtm[1] = (byte)r.Destination.PrefixLength;
        rtm[4] = (byte)(r.Table < 256 ? r.Table : 0);
        rtm[5] = add ? r.Protocol : (byte)0;
        bool viaGateway = r.Gateway is not null || r.NextHops.Any(h => h.Gateway is not null);
        rtm[6] = add ? r.Scope ?? (byte)(r.Kind == RouteKind.Unicast && !viaGateway ? RtScopeLink : 0) : RtScopeNowhere;
        rtm[7] = (byte)r.Kind;
        if (r.OnLink) BinaryPrimitives.WriteUInt32LittleEndian(rtm[8..], RtnhFOnLink);
        m.Fixed(rtm);
        if (r.Destination.PrefixLength > 0) m.Address(RtaDst, r.Destination.Address);
        if (r.Gateway is not null) m.Address(RtaGateway, r.Gateway);
        if (r.Source is not null) m.Address(RtaPrefSrc, r.Source);
        if (r.NextHops.Count > 0)
        {
            // The route's own device (if any) is the device of every next hop that names none; RTA_OIF would have
            // to match the first next hop's.
            if (!TryMultipath(r, oifIndex, out var multipath, out var missing))
            {
                return new CommandResult(false, $"{(add ? "add" : "delete")} route {r}: no interface named '{missing}'");
            }
            m.Bytes(RtaMultipath, multipath);
        }
        else if (oifIndex > 0)
        {
            m.UInt32(RtaOif, (uint)oifIndex);
        }
        if (r.Metric is { } metric) m.UInt32(RtaPriority, metric);
        m.UInt32(RtaTable, r.Table);
        return Transact(m, $"{(add ? "add" : "delete")} route {r}", ESRCH, ENODEV);
    }

    private CommandResult ChangeRule(ushort type, RuleSpec r)
    {
        bool add = type == RtmNewRule;
        var m = new NetlinkMessage(type, (ushort)(NlmFRequest | NlmFAck | (add ? NlmFCreate | NlmFExcl : 0)));
        // fib_rule_hdr: family, dst_len, src_len, tos, table, res1, res2, action, flags
        Span<byte> frh = stackalloc byte[12];
        frh[0] = Family(r.Family);
        frh[1] = (byte)(r.To?.PrefixLength ?? 0);
        frh[2] = (byte)(r.From?.PrefixLength ?? 0);
        frh[4] = (byte)(r.Table < 256 ? r.Table : 0);
        frh[7] = FrActToTbl;
        m.Fixed(frh);
        if (r.To is { PrefixLength: > 0 } to) m.Address(FraDst, to.Address);
        if (r.From is { PrefixLength: > 0 } from) m.Address(FraSrc, from.Address);
        if (r.InputInterface is not null) m.String(FraIifName, r.InputInterface);
        if (r.OutputInterface is not null) m.String(FraOifName, r.OutputInterface);
        if (r.Priority is { } priority) m.UInt32(FraPriority, priority);
        if (r.FirewallMark is { } mark) m.UInt32(FraFwMark, mark);
        if (r.FirewallMask is { } mask) m.UInt32(FraFwMask, mask);
        m.UInt32(FraTable, r.Table);
        return Transact(m, $"{(add ? "add" : "delete")} rule {r}", ENOENT, ENODEV);
    }

    private const ushort RtmNewLink = 16;
    private const ushort RtmDelLink = 17;
    private const ushort IflaAddress = 1;
    private const ushort IflaIfName = 3;
    private const ushort IflaLink = 5;
    private const ushort IflaLinkInfo = 18;
    private const ushort IflaInfoKind = 1;
    private const ushort IflaInfoData = 2;
    private const ushort IflaMacvlanMode = 1;
    private const uint MacvlanModePrivate = 1;
    private const uint IffUp = 1;

    /// <summary>
    /// keepalived's use_vmac: a macvlan (mode private, as keepalived makes it) on <paramref name="baseIndex"/> with
    /// the virtual router MAC, left down (<see cref="SetUp"/> follows). One left over from a crash (EEXIST) is reused.
    /// </summary>
    public CommandResult CreateMacvlan(string name, int baseIndex, byte[] mac)
    {
        var m = new NetlinkMessage(RtmNewLink, (ushort)(NlmFRequest | NlmFAck | NlmFCreate | NlmFExcl));
        // ifinfomsg: family, pad, type, index, flags, change
        Span<byte> ifi = stackalloc byte[16];
        m.Fixed(ifi);
        m.String(IflaIfName, name);
        m.UInt32(IflaLink, (uint)baseIndex);
        m.Bytes(IflaAddress, mac);
        var data = new NetlinkMessage(0, 0);
        data.UInt32(IflaMacvlanMode, MacvlanModePrivate);
        var info = new NetlinkMessage(0, 0);
        info.String(IflaInfoKind, "macvlan");
        info.Bytes(IflaInfoData, data.Body);
        m.Bytes(IflaLinkInfo, info.Body);
        return Transact(m, $"create macvlan {name} ({Convert.ToHexString(mac)})");
    }

    private const ushort IflaAfSpec = 26;
    private const ushort AfInet6 = 10;
    private const ushort IflaInet6AddrGenMode = 8;
    private const byte In6AddrGenModeNone = 1;

    /// <summary>
    /// No automatic IPv6 link-local address on a link (IN6_ADDR_GEN_MODE_NONE), as keepalived sets on an IPv6 vmac:
    /// one made from the virtual router MAC would be the same on every node (RFC 5798 §7.4). Must come before the
    /// link goes up; the kernel ignores it in the request that creates the link.
    /// </summary>
    public CommandResult DisableIpv6AddressGeneration(int index, string name)
    {
        var m = new NetlinkMessage(RtmNewLink, (ushort)(NlmFRequest | NlmFAck));
        Span<byte> ifi = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(ifi[4..], index);
        m.Fixed(ifi);
        var inet6 = new NetlinkMessage(0, 0);
        inet6.Bytes(IflaInet6AddrGenMode, [In6AddrGenModeNone]);
        var spec = new NetlinkMessage(0, 0);
        spec.Bytes(AfInet6, inet6.Body);
        m.Bytes(IflaAfSpec, spec.Body);
        return Transact(m, $"set addrgenmode none on {name}");
    }

    /// <summary>Brings an existing link up (a vmac left over from a crash may be down).</summary>
    public CommandResult SetUp(int index, string name)
    {
        var m = new NetlinkMessage(RtmNewLink, (ushort)(NlmFRequest | NlmFAck));
        Span<byte> ifi = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(ifi[4..], index);
        BinaryPrimitives.WriteUInt32LittleEndian(ifi[8..], IffUp);
        BinaryPrimitives.WriteUInt32LittleEndian(ifi[12..], IffUp);
        m.Fixed(ifi);
        return Transact(m, $"set {name} up");
    }

    public CommandResult DeleteLink(int index, string name)
    {
        var m = new NetlinkMessage(RtmDelLink, (ushort)(NlmFRequest | NlmFAck));
        Span<byte> ifi = stackalloc byte[16];
        BinaryPrimitives.WriteInt32LittleEndian(ifi[4..], index);
        m.Fixed(ifi);
        return Transact(m, $"delete link {name}", ENODEV);
    }

    private static byte Family(AddressFamily family) => family == AddressFamily.InterNetwork ? (byte)2 : (byte)10;

    /// <summary>Sends one request and waits for its ack. "Already there" on add and "already gone" on delete are success.</summary>
    private CommandResult Transact(NetlinkMessage message, string what, params int[] goneErrors)
    {
        lock (_gate)
        {
            uint seq = ++_sequence;
            var bytes = message.ToArray(seq);
            bool add = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(4)) is RtmNewAddr or RtmNewRoute or RtmNewRule or RtmNewLink;
            try
            {
                _socket.Send(bytes);
                int error = WaitForAck(seq);
                if (error == 0 || (add && error == EEXIST) || (!add && goneErrors.Contains(error)))
                {
                    return new CommandResult(true, what);
                }
                return error == EPERM
                    ? new CommandResult(false, $"{what}: operation not permitted (needs CAP_NET_ADMIN)")
                    : new CommandResult(false, $"{what}: {Describe(error)}");
            }
            catch (SocketException e)
            {
                return new CommandResult(false, $"{what}: {e.Message}");
            }
        }
    }

    private static string Describe(int errno) => errno switch
    {
        ENOENT => "no such entry (ENOENT)",
        ESRCH => "no such route (ESRCH)",
        ENODEV => "no such device (ENODEV)",
        EINVAL => "invalid argument (EINVAL)",
        ENETUNREACH => "gateway unreachable (ENETUNREACH)",
        EADDRNOTAVAIL => "address not available (EADDRNOTAVAIL)",
        _ => $"errno {errno}",
    };

    private int WaitForAck(uint seq)
    {
        var buffer = new byte[8192];
        while (true)
        {
            int n = _socket.Receive(buffer);
            int offset = 0;
            while (offset + 16 <= n)
            {
                var h = buffer.AsSpan(offset);
                int len = (int)BinaryPrimitives.ReadUInt32LittleEndian(h);
                ushort type = BinaryPrimitives.ReadUInt16LittleEndian(h[4..]);
                uint msgSeq = BinaryPrimitives.ReadUInt32LittleEndian(h[8..]);
                if (type == NlmsgError && msgSeq == seq && len >= 20)
                {
                    return -BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
                }
                if (len < 16)
                {
                    break;
                }
                offset += (len + 3) & ~3;
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}

internal readonly record struct CommandResult(bool Success, string Description);

/// <summary>A netlink request: header, the family-specific fixed struct, then 4-byte aligned attributes.</summary>
internal sealed class NetlinkMessage(ushort type, ushort flags)
{
    private readonly List<byte> _body = [];

    public void Fixed(ReadOnlySpan<byte> header) => _body.AddRange(header.ToArray());

    public void Address(ushort attribute, IPAddress address) => Attribute(attribute, address.GetAddressBytes());

    public void UInt32(ushort attribute, uint value)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        Attribute(attribute, b);
    }

    public void Bytes(ushort attribute, byte[] payload) => Attribute(attribute, payload);

    /// <summary>The attributes written so far, for nesting inside another attribute.</summary>
    public byte[] Body => [.. _body];

    public void String(ushort attribute, string value) => Attribute(attribute, Encoding.ASCII.GetBytes(value + "\0"));

    private void Attribute(ushort attribute, byte[] payload)
    {
        var h = new byte[4];
        BinaryPrimitives.WriteUInt16LittleEndian(h, (ushort)(4 + payload.Length));
        BinaryPrimitives.WriteUInt16LittleEndian(h.AsSpan(2), attribute);
        _body.AddRange(h);
        _body.AddRange(payload);
        while (_body.Count % 4 != 0) _body.Add(0);
    }

    public byte[] ToArray(uint sequence)
    {
        var msg = new byte[16 + _body.Count];
        BinaryPrimitives.WriteUInt32LittleEndian(msg, (uint)msg.Length);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(4), type);
        BinaryPrimitives.WriteUInt16LittleEndian(msg.AsSpan(6), flags);
        BinaryPrimitives.WriteUInt32LittleEndian(msg.AsSpan(8), sequence);
        _body.CopyTo(msg, 16);
        return msg;
    }
}
