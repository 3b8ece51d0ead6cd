using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>
/// The 86-byte Ethernet frame of an unsolicited Neighbour Advertisement (RFC 4861 §7.2.6), as keepalived sends it for
/// each IPv6 VIP: to 33:33:00:00:00:01 / ff02::1 from the VIP itself, hop limit 255, Override set, Router set when
/// the interface forwards IPv6, target = the VIP, and a Target Link-Layer Address option with the MAC.
/// </summary>
public static class NeighbourAdvertisementFrame
{
    public const int Length = EthernetHeader + Ipv6Header + IcmpLength;
    public const byte IcmpTypeNeighbourAdvertisement = 136;
    public const byte RouterFlag = 0x80;
    public const byte OverrideFlag = 0x20;
    private const int EthernetHeader = 14;
    private const int Ipv6Header = 40;
    private const int IcmpLength = 24 + 8;   // NA (type, code, checksum, flags, target) + TLLA option (type, length, MAC)
    private const byte NextHeaderIcmpV6 = 58;
    public static readonly IPAddress AllNodes = IPAddress.Parse("ff02::1");

    public static byte[] Build(ReadOnlySpan<byte> mac, IPAddress vip, bool router)
    {
        if (vip.AddressFamily != AddressFamily.InterNetworkV6 || mac.Length != 6)
        {
            throw new ArgumentException("a Neighbour Advertisement needs an IPv6 target and a 6-byte MAC");
        }
        var f = new byte[Length];
        f[0] = f[1] = 0x33;
        f[5] = 0x01;
        mac.CopyTo(f.AsSpan(6, 6));
        f[12] = 0x86; f[13] = 0xDD;
        var ip = f.AsSpan(EthernetHeader, Ipv6Header);
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4, 2), IcmpLength);
        ip[6] = NextHeaderIcmpV6;
        ip[7] = 255;
        vip.TryWriteBytes(ip.Slice(8, 16), out _);
        AllNodes.TryWriteBytes(ip.Slice(24, 16), out _);
        var icmp = f.AsSpan(EthernetHeader + Ipv6Header, IcmpLength);
        icmp[0] = IcmpTypeNeighbourAdvertisement;
        icmp[4] = (byte)(OverrideFlag | (router ? RouterFlag : 0));
        vip.TryWriteBytes(icmp.Slice(8, 16), out _);
        icmp[24] = 2;   // Target Link-Layer Address
        icmp[25] = 1;   // in units of 8 bytes
        mac.CopyTo(icmp.Slice(26, 6));
        BinaryPrimitives.WriteUInt16BigEndian(icmp.Slice(2, 2), Checksum(ip.Slice(8, 16), ip.Slice(24, 16), icmp));
        return f;
    }

    /// <summary>The ICMPv6 checksum: IPv6 pseudo-header (source, destination, length, next header 58) plus the message.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> source, ReadOnlySpan<byte> destination, ReadOnlySpan<byte> icmp)
    {
        Span<byte> tail = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(tail[..4], (uint)icmp.Length);
        tail[7] = NextHeaderIcmpV6;
        uint sum = InternetChecksum.Add(InternetChecksum.Add(InternetChecksum.Add(0, source), destination), tail);
        return InternetChecksum.Finish(InternetChecksum.Add(sum, icmp));
    }
}
