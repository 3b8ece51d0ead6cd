using System.Buffers.Binary;
using System.Net;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Wire;

/// <summary>VRRPv3 over IPv6 (RFC 5798 §5.2.8), against packets captured from keepalived 2.2.7 with tcpdump in a lab.</summary>
public sealed class VrrpPacketCodecIpv6Tests
{
    // keepalived 2.2.7, vrid 61, priority 200, advert_int 0.1, virtual_ipaddress fd99::100/64, multicast: the IPv6 header
    // (traffic class 0xC0, hop limit 255, next header 112, from the interface's link-local address to ff02::12), then the
    // VRRP message. A raw socket delivers only the message; the header's fields come with it as control data.
    internal const string CapturedHeader = "6C0B5BE6" + "0018" + "70" + "FF" + "FE80000000000000A85A64FFFEB3B730" + "FF020000000000000000000000000012";
    internal const string CapturedMessage = "31" + "3D" + "C8" + "01" + "000A" + "46C0" + "FD990000000000000000000000000100";
    private static readonly IPAddress Source = IPAddress.Parse("fe80::a85a:64ff:feb3:b730");

    private static byte[] Hex(string s) => Convert.FromHexString(s);

    [Fact]
    public void Decodes_keepalived_ipv6_advert()
    {
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecodeIpv6(Hex(CapturedMessage), Source, VrrpPacketCodec.MulticastGroupV6, 255, out var r));
        var a = r!.Advertisement;
        Assert.Equal(VrrpVersion.V3, a.Version);
        Assert.Equal(61, a.VirtualRouterId);
        Assert.Equal(200, a.Priority);
        Assert.Equal(10, a.IntervalCentiseconds);
        Assert.Equal([IPAddress.Parse("fd99::100")], a.Addresses);
        Assert.Equal(new IpEnvelope(255, Source, VrrpPacketCodec.MulticastGroupV6), r.Ip);
    }

    [Fact]
    public void Encoding_reproduces_keepalived_bytes_and_checksum()
    {
        var advert = new VrrpAdvertisement(VrrpVersion.V3, 61, 200, 10, [IPAddress.Parse("fd99::100")]);
        Assert.Equal(CapturedMessage, Convert.ToHexString(VrrpPacketCodec.EncodeMessage(advert, Source, VrrpPacketCodec.MulticastGroupV6)));
        // The captured header says what was summed: its payload length is the message's.
        Assert.Equal(Hex(CapturedMessage).Length, BinaryPrimitives.ReadUInt16BigEndian(Hex(CapturedHeader).AsSpan(4, 2)));
    }

    [Fact]
    public void Checksum_covers_the_ipv6_pseudo_header()
    {
        var message = Hex(CapturedMessage);
        // The same bytes from another source, or to a unicast destination, do not check out: the addresses are summed.
        Assert.Equal(VrrpRejectReason.Checksum, VrrpPacketCodec.TryDecodeIpv6(message, IPAddress.Parse("fe80::1"), VrrpPacketCodec.MulticastGroupV6, 255, out _));
        Assert.Equal(VrrpRejectReason.Checksum, VrrpPacketCodec.TryDecodeIpv6(message, Source, IPAddress.Parse("fd99::1"), 255, out _));
        // Nor does a checksum over the message alone (the IPv4 VRRPv2 rule).
        message[6] = message[7] = 0;
        ushort plain = InternetChecksum.Compute(message);
        BinaryPrimitives.WriteUInt16BigEndian(message.AsSpan(6), plain);
        Assert.Equal(VrrpRejectReason.Checksum, VrrpPacketCodec.TryDecodeIpv6(message, Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
    }

    [Fact]
    public void Unicast_advert_is_summed_with_its_real_destination()
    {
        var from = IPAddress.Parse("fd99::1");
        var to = IPAddress.Parse("fd99::2");
        var advert = new VrrpAdvertisement(VrrpVersion.V3, 7, 100, 100, [IPAddress.Parse("fd99::100"), IPAddress.Parse("fd99::101")]);
        var message = VrrpPacketCodec.EncodeMessage(advert, from, to);
        Assert.Equal(8 + 2 * 16, message.Length);
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecodeIpv6(message, from, to, 64, out var r));
        Assert.Equal(advert.Addresses, r!.Advertisement.Addresses);
        Assert.Equal(64, r.Ip.Ttl);
        Assert.False(r.LegacyUnicastChecksum);
    }

    [Fact]
    public void Version_2_length_and_type_are_rejected()
    {
        var message = Hex(CapturedMessage);
        var v2 = (byte[])message.Clone();
        v2[0] = 0x21;
        Assert.Equal(VrrpRejectReason.Version, VrrpPacketCodec.TryDecodeIpv6(v2, Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
        Assert.Equal(VrrpRejectReason.Length, VrrpPacketCodec.TryDecodeIpv6(message.AsSpan(0, message.Length - 4), Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
        Assert.Equal(VrrpRejectReason.Length, VrrpPacketCodec.TryDecodeIpv6(message.AsSpan(0, 7), Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
        // An IPv4-sized address list (8 + 4n) is not an IPv6 advert.
        var v4Sized = message.AsSpan(0, 12).ToArray();
        Assert.Equal(VrrpRejectReason.Length, VrrpPacketCodec.TryDecodeIpv6(v4Sized, Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
        var type = (byte[])message.Clone();
        type[0] = 0x32;
        Assert.Equal(VrrpRejectReason.Type, VrrpPacketCodec.TryDecodeIpv6(type, Source, VrrpPacketCodec.MulticastGroupV6, 255, out _));
        Assert.Equal(VrrpRejectReason.Malformed, VrrpPacketCodec.TryDecodeIpv6(message, IPAddress.Parse("10.0.0.1"), VrrpPacketCodec.MulticastGroupV6, 255, out _));
    }

    [Fact]
    public void Encoding_refuses_mixed_families_and_version_2()
    {
        var v4Vip = new VrrpAdvertisement(VrrpVersion.V3, 1, 100, 100, [IPAddress.Parse("10.0.0.1")]);
        Assert.Throws<ArgumentException>(() => VrrpPacketCodec.EncodeMessage(v4Vip, Source, VrrpPacketCodec.MulticastGroupV6));
        var v2 = new VrrpAdvertisement(VrrpVersion.V2, 1, 100, 100, [IPAddress.Parse("fd99::100")]);
        Assert.Throws<ArgumentException>(() => VrrpPacketCodec.EncodeMessage(v2, Source, VrrpPacketCodec.MulticastGroupV6));
    }
}
