using System.Net;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Wire;

public sealed class VrrpPacketCodecTests
{
    // Complete IPv4 datagrams captured from keepalived 2.2.7 (see the VRRP reference note).
    internal const string V2Pass = "45C0002C00010000FF70D0290A630002E0000012" + "2133960201 01C4BB0A6300640A6300657365637265743132";
    internal const string V3Multicast = "45C0002000120000FF70D0240A630002E0000012" + "3134640 1000A74FB0A63006E";
    internal const string V3Unicast = "45C0002000020000FF70A5E30A6300020A630001" + "31356401 00644A3B0A630082";

    internal static byte[] Hex(string s) => Convert.FromHexString(s.Replace(" ", ""));

    [Fact]
    public void Decodes_keepalived_v2_with_password()
    {
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecode(Hex(V2Pass), out var r));
        var a = r!.Advertisement;
        Assert.Equal(VrrpVersion.V2, a.Version);
        Assert.Equal(51, a.VirtualRouterId);
        Assert.Equal(150, a.Priority);
        Assert.Equal(100, a.IntervalCentiseconds);
        Assert.Equal(VrrpAuthType.Password, a.AuthType);
        Assert.Equal("secret12"u8.ToArray(), a.AuthData.ToArray());
        Assert.Equal([IPAddress.Parse("10.99.0.100"), IPAddress.Parse("10.99.0.101")], a.Addresses);
        Assert.Equal(255, r.Ip.Ttl);
        Assert.Equal(IPAddress.Parse("10.99.0.2"), r.Ip.Source);
    }

    [Fact]
    public void Decodes_keepalived_v3_multicast_and_unicast()
    {
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecode(Hex(V3Multicast), out var m));
        Assert.Equal(VrrpVersion.V3, m!.Advertisement.Version);
        Assert.Equal(52, m.Advertisement.VirtualRouterId);
        Assert.Equal(10, m.Advertisement.IntervalCentiseconds);
        Assert.False(m.LegacyUnicastChecksum);

        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecode(Hex(V3Unicast), out var u));
        Assert.Equal(53, u!.Advertisement.VirtualRouterId);
        Assert.Equal(100, u.Advertisement.IntervalCentiseconds);
        Assert.Equal([IPAddress.Parse("10.99.0.130")], u.Advertisement.Addresses);
        Assert.False(u.LegacyUnicastChecksum);
    }

    [Theory]
    [InlineData(V2Pass)]
    [InlineData(V3Multicast)]
    [InlineData(V3Unicast)]
    public void Encoding_reproduces_keepalived_bytes(string hex)
    {
        var captured = Hex(hex);
        VrrpPacketCodec.TryDecode(captured, out var r);
        ushort id = (ushort)((captured[4] << 8) | captured[5]);
        var encoded = VrrpPacketCodec.EncodeDatagram(r!.Advertisement, r.Ip.Source, r.Ip.Destination, id);
        Assert.Equal(Convert.ToHexString(captured), Convert.ToHexString(encoded));
    }

    [Fact]
    public void Accepts_v3_unicast_checksum_in_the_old_multicast_pseudo_header_form()
    {
        VrrpPacketCodec.TryDecode(Hex(V3Unicast), out var r);
        var message = VrrpPacketCodec.EncodeMessage(r!.Advertisement, r.Ip.Source, VrrpPacketCodec.MulticastGroup);
        var datagram = Hex(V3Unicast);
        message.CopyTo(datagram, 20);
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecode(datagram, out var legacy));
        Assert.True(legacy!.LegacyUnicastChecksum);
    }

    [Fact]
    public void V3_checksum_without_pseudo_header_is_rejected()
    {
        var datagram = Hex(V3Multicast);
        var message = datagram.AsSpan(20);
        message[6] = 0; message[7] = 0;
        ushort plain = InternetChecksum.Compute(message);
        message[6] = (byte)(plain >> 8); message[7] = (byte)plain;
        Assert.Equal(VrrpRejectReason.Checksum, VrrpPacketCodec.TryDecode(datagram, out _));
    }

    [Fact]
    public void Flipped_bit_fails_checksum()
    {
        var datagram = Hex(V2Pass);
        datagram[^1] ^= 0x01;
        Assert.Equal(VrrpRejectReason.Checksum, VrrpPacketCodec.TryDecode(datagram, out _));
    }

    [Fact]
    public void Wrong_lengths_are_rejected()
    {
        var datagram = Hex(V2Pass);
        Assert.Equal(VrrpRejectReason.Length, VrrpPacketCodec.TryDecode(datagram.AsSpan(0, datagram.Length - 4), out _));
        // A CARP-sized body with a matching IP length: the address count does not explain the length.
        var carp = new byte[20 + 36];
        datagram.AsSpan(0, 28).CopyTo(carp);
        carp[2] = 0; carp[3] = (byte)carp.Length;
        Assert.Equal(VrrpRejectReason.Length, VrrpPacketCodec.TryDecode(carp, out _));
        Assert.Equal(VrrpRejectReason.Malformed, VrrpPacketCodec.TryDecode(datagram.AsSpan(0, 10), out _));
    }

    [Fact]
    public void Unknown_version_and_type_are_rejected()
    {
        var datagram = Hex(V3Multicast);
        datagram[20] = 0x41;
        Assert.Equal(VrrpRejectReason.Version, VrrpPacketCodec.TryDecode(datagram, out _));
        datagram[20] = 0x32;
        Assert.Equal(VrrpRejectReason.Type, VrrpPacketCodec.TryDecode(datagram, out _));
    }
}
