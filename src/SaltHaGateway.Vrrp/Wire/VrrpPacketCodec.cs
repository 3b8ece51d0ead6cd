using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>
/// Encodes and decodes VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798) advertisements over IPv4, and VRRPv3 over IPv6
/// (RFC 5798 §5.2.8: the checksum covers the IPv6 pseudo-header). Decoding checks only what the packet says about
/// itself (length, version, type, checksum); instance-specific checks live in <see cref="VrrpAdvertisementValidator"/>.
/// </summary>
public static class VrrpPacketCodec
{
    public const byte ProtocolNumber = 112;
    public const int HeaderLength = 8;
    public const int AuthDataLength = 8;
    public static readonly IPAddress MulticastGroup = IPAddress.Parse("224.0.0.18");
    /// <summary>RFC 5798's IPv6 group (link-local scope, so it never leaves the segment).</summary>
    public static readonly IPAddress MulticastGroupV6 = IPAddress.Parse("ff02::12");

    public static int MessageLength(VrrpVersion version, int addressCount, AddressFamily family = AddressFamily.InterNetwork) =>
        HeaderLength + AddressLength(family) * addressCount + (version == VrrpVersion.V2 ? AuthDataLength : 0);

    private static int AddressLength(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? 16 : 4;

    /// <summary>
    /// Writes the VRRP message (no IP header). The v3 checksum needs the IP source and destination; their family
    /// decides whether the addresses are IPv4 or IPv6 (VRRP over IPv6 is version 3 only).
    /// </summary>
    public static byte[] EncodeMessage(VrrpAdvertisement advert, IPAddress source, IPAddress destination)
    {
        var family = source.AddressFamily;
        if (family == AddressFamily.InterNetworkV6 && advert.Version != VrrpVersion.V3)
        {
            throw new ArgumentException("VRRP over IPv6 is version 3 only.", nameof(advert));
        }
        int addressLength = AddressLength(family);
        var buffer = new byte[MessageLength(advert.Version, advert.Addresses.Count, family)];
        buffer[0] = (byte)(((byte)advert.Version << 4) | 1);
        buffer[1] = advert.VirtualRouterId;
        buffer[2] = advert.Priority;
        buffer[3] = (byte)advert.Addresses.Count;
        if (advert.Version == VrrpVersion.V2)
        {
            buffer[4] = (byte)advert.AuthType;
            buffer[5] = (byte)Math.Clamp(advert.IntervalCentiseconds / 100, 1, 255);
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(4, 2), (ushort)(advert.IntervalCentiseconds & 0x0FFF));
        }
        for (int i = 0; i < advert.Addresses.Count; i++)
        {
            if (advert.Addresses[i].AddressFamily != family
                || !advert.Addresses[i].TryWriteBytes(buffer.AsSpan(HeaderLength + addressLength * i, addressLength), out _))
            {
                throw new ArgumentException($"VRRP over {(family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4")} carries only addresses of that family.", nameof(advert));
            }
        }
        if (advert.Version == VrrpVersion.V2 && advert.AuthType == VrrpAuthType.Password)
        {
            var auth = advert.AuthData.Span;
            auth[..Math.Min(auth.Length, AuthDataLength)].CopyTo(buffer.AsSpan(HeaderLength + 4 * advert.Addresses.Count));
        }
        ushort checksum = advert.Version == VrrpVersion.V2
            ? InternetChecksum.Compute(buffer)
            : InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, buffer.Length), buffer));
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(6, 2), checksum);
        return buffer;
    }

    /// <summary>
    /// A complete IPv4 datagram as keepalived sends it (TOS 0xC0, TTL 255, no DF), for IP_HDRINCL sockets.
    /// <paramref name="checksumDestination"/> overrides the v3 pseudo-header destination (old unicast form).
    /// </summary>
    public static byte[] EncodeDatagram(VrrpAdvertisement advert, IPAddress source, IPAddress destination, ushort identification,
        IPAddress? checksumDestination = null)
    {
        var message = EncodeMessage(advert, source, checksumDestination ?? destination);
        var datagram = new byte[Ipv4Header.MinimumLength + message.Length];
        var ip = datagram.AsSpan(0, Ipv4Header.MinimumLength);
        ip[0] = 0x45;
        ip[1] = 0xC0;
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(2, 2), (ushort)datagram.Length);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(4, 2), identification);
        ip[8] = 255;
        ip[9] = ProtocolNumber;
        source.TryWriteBytes(ip.Slice(12, 4), out _);
        destination.TryWriteBytes(ip.Slice(16, 4), out _);
        BinaryPrimitives.WriteUInt16BigEndian(ip.Slice(10, 2), InternetChecksum.Compute(ip));
        message.CopyTo(datagram, Ipv4Header.MinimumLength);
        return datagram;
    }

    /// <summary>Decodes a full IPv4 datagram as delivered by a raw socket.</summary>
    public static VrrpRejectReason TryDecode(ReadOnlySpan<byte> datagram, out ReceivedAdvertisement? received)
    {
        received = null;
        if (!Ipv4Header.TryParse(datagram, out var ip) || ip.Protocol != ProtocolNumber)
        {
            return VrrpRejectReason.Malformed;
        }
        if (ip.TotalLength != datagram.Length)
        {
            return VrrpRejectReason.Length;
        }
        var message = datagram[ip.HeaderLength..];
        if (message.Length < HeaderLength)
        {
            return VrrpRejectReason.Length;
        }
        int versionNibble = message[0] >> 4;
        if (versionNibble is not (2 or 3))
        {
            return VrrpRejectReason.Version;
        }
        var version = (VrrpVersion)versionNibble;
        int count = message[3];
        if (message.Length != MessageLength(version, count))
        {
            return VrrpRejectReason.Length;
        }
        if ((message[0] & 0x0F) != 1)
        {
            return VrrpRejectReason.Type;
        }
        bool legacy = false;
        if (version == VrrpVersion.V2)
        {
            if (InternetChecksum.Compute(message) != 0)
            {
                return VrrpRejectReason.Checksum;
            }
        }
        else if (InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(ip.Source, ip.Destination, message.Length), message)) != 0)
        {
            // keepalived before 1.3.7 (and FRR) put the multicast group in the pseudo-header even for unicast.
            if (ip.Destination.Equals(MulticastGroup)
                || InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(ip.Source, MulticastGroup, message.Length), message)) != 0)
            {
                return VrrpRejectReason.Checksum;
            }
            legacy = true;
        }
        var addresses = new IPAddress[count];
        for (int i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(message.Slice(HeaderLength + 4 * i, 4));
        }
        VrrpAdvertisement advert;
        if (version == VrrpVersion.V2)
        {
            advert = new VrrpAdvertisement(version, message[1], message[2], (ushort)(message[5] * 100), addresses,
                (VrrpAuthType)message[4], message.Slice(HeaderLength + 4 * count, AuthDataLength).ToArray());
        }
        else
        {
            advert = new VrrpAdvertisement(version, message[1], message[2],
                (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4, 2)) & 0x0FFF), addresses);
        }
        received = new ReceivedAdvertisement(advert, new IpEnvelope(ip.Ttl, ip.Source, ip.Destination), legacy);
        return VrrpRejectReason.None;
    }

    /// <summary>
    /// Decodes a VRRP message received on an IPv6 raw socket, which delivers no IP header: the source is the
    /// sender's address, the destination and hop limit come from the IPV6_PKTINFO and IPV6_HOPLIMIT control messages.
    /// </summary>
    public static VrrpRejectReason TryDecodeIpv6(ReadOnlySpan<byte> message, IPAddress source, IPAddress destination, byte hopLimit,
        out ReceivedAdvertisement? received)
    {
        received = null;
        if (source.AddressFamily != AddressFamily.InterNetworkV6 || destination.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return VrrpRejectReason.Malformed;
        }
        if (message.Length < HeaderLength)
        {
            return VrrpRejectReason.Length;
        }
        // RFC 5798 defines VRRP over IPv6 for version 3 only (keepalived refuses version 2 for an IPv6 instance).
        if (message[0] >> 4 != 3)
        {
            return VrrpRejectReason.Version;
        }
        int count = message[3];
        if (message.Length != MessageLength(VrrpVersion.V3, count, AddressFamily.InterNetworkV6))
        {
            return VrrpRejectReason.Length;
        }
        if ((message[0] & 0x0F) != 1)
        {
            return VrrpRejectReason.Type;
        }
        if (InternetChecksum.Finish(InternetChecksum.Add(PseudoHeaderSum(source, destination, message.Length), message)) != 0)
        {
            return VrrpRejectReason.Checksum;
        }
        var addresses = new IPAddress[count];
        for (int i = 0; i < count; i++)
        {
            addresses[i] = new IPAddress(message.Slice(HeaderLength + 16 * i, 16));
        }
        var advert = new VrrpAdvertisement(VrrpVersion.V3, message[1], message[2],
            (ushort)(BinaryPrimitives.ReadUInt16BigEndian(message.Slice(4, 2)) & 0x0FFF), addresses);
        received = new ReceivedAdvertisement(advert, new IpEnvelope(hopLimit, source, destination), false);
        return VrrpRejectReason.None;
    }

    /// <summary>The sum of the pseudo-header: RFC 5798 §5.2.8 for IPv4, RFC 8200 §8.1 for IPv6.</summary>
    private static uint PseudoHeaderSum(IPAddress source, IPAddress destination, int length)
    {
        if (source.AddressFamily != destination.AddressFamily
            || source.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6))
        {
            throw new ArgumentException("VRRPv3 needs a source and destination of one family.");
        }
        if (source.AddressFamily == AddressFamily.InterNetworkV6)
        {
            // source(16) destination(16) upper-layer length(4) zero(3) next header(1)
            Span<byte> pseudo6 = stackalloc byte[40];
            source.TryWriteBytes(pseudo6[..16], out _);
            destination.TryWriteBytes(pseudo6.Slice(16, 16), out _);
            BinaryPrimitives.WriteUInt32BigEndian(pseudo6.Slice(32, 4), (uint)length);
            pseudo6[39] = ProtocolNumber;
            return InternetChecksum.Add(0, pseudo6);
        }
        Span<byte> pseudo = stackalloc byte[12];
        source.TryWriteBytes(pseudo[..4], out _);
        destination.TryWriteBytes(pseudo.Slice(4, 4), out _);
        pseudo[9] = ProtocolNumber;
        BinaryPrimitives.WriteUInt16BigEndian(pseudo.Slice(10, 2), (ushort)length);
        return InternetChecksum.Add(0, pseudo);
    }
}
