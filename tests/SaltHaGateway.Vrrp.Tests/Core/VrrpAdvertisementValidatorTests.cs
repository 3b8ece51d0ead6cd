using System.Net;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Tests.Wire;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Core;

public sealed class VrrpAdvertisementValidatorTests
{
    private static readonly VrrpInstanceSettings V2 = new()
    {
        Name = "VI_1",
        VirtualRouterId = 51,
        Priority = 100,
        IntervalCentiseconds = 100,
        AuthType = VrrpAuthType.Password,
        AuthData = "secret12"u8.ToArray(),
        VirtualAddresses = [Vip("10.99.0.100"), Vip("10.99.0.101")],
    };

    private static VirtualAddress Vip(string s) => new(IPAddress.Parse(s), 32);

    private static ReceivedAdvertisement Captured(string hex)
    {
        VrrpPacketCodec.TryDecode(VrrpPacketCodecTests.Hex(hex), out var r);
        return r!;
    }

    [Fact]
    public void Matching_keepalived_advert_is_accepted()
    {
        Assert.Equal(VrrpRejectReason.None, VrrpAdvertisementValidator.Check(Captured(VrrpPacketCodecTests.V2Pass), V2));
    }

    [Fact]
    public void Each_mismatch_is_named()
    {
        var r = Captured(VrrpPacketCodecTests.V2Pass);
        Assert.Equal(VrrpRejectReason.UnknownVrid, VrrpAdvertisementValidator.Check(r, V2 with { VirtualRouterId = 52 }));
        Assert.Equal(VrrpRejectReason.Ttl, VrrpAdvertisementValidator.Check(r with { Ip = r.Ip with { Ttl = 64 } }, V2));
        Assert.Equal(VrrpRejectReason.Version, VrrpAdvertisementValidator.Check(r, V2 with { Version = VrrpVersion.V3 }));
        Assert.Equal(VrrpRejectReason.AuthType, VrrpAdvertisementValidator.Check(r, V2 with { AuthType = VrrpAuthType.None }));
        Assert.Equal(VrrpRejectReason.AuthPassword, VrrpAdvertisementValidator.Check(r, V2 with { AuthData = "secret13"u8.ToArray() }));
        Assert.Equal(VrrpRejectReason.Interval, VrrpAdvertisementValidator.Check(r, V2 with { IntervalCentiseconds = 200 }));
        Assert.Equal(VrrpRejectReason.AddressCount, VrrpAdvertisementValidator.Check(r, V2 with { VirtualAddresses = [Vip("10.99.0.100")] }));
        Assert.Equal(VrrpRejectReason.AddressList, VrrpAdvertisementValidator.Check(r, V2 with { VirtualAddresses = [Vip("10.99.0.100"), Vip("10.99.0.102")] }));
        Assert.Equal(VrrpRejectReason.Destination, VrrpAdvertisementValidator.Check(r, V2 with { UnicastPeers = [IPAddress.Parse("10.99.0.2")] }));
        var description = VrrpAdvertisementValidator.Describe(VrrpRejectReason.AddressList, r, V2 with { VirtualAddresses = [Vip("10.99.0.100"), Vip("10.99.0.102")] });
        Assert.Contains("10.99.0.102", description);
    }

    [Fact]
    public void Unicast_source_must_be_a_configured_peer()
    {
        var r = Captured(VrrpPacketCodecTests.V3Unicast);
        var settings = new VrrpInstanceSettings
        {
            Name = "u", Version = VrrpVersion.V3, VirtualRouterId = 53, VirtualAddresses = [Vip("10.99.0.130")],
            UnicastPeers = [IPAddress.Parse("10.99.0.2")],
        };
        Assert.Equal(VrrpRejectReason.None, VrrpAdvertisementValidator.Check(r, settings));
        Assert.Equal(VrrpRejectReason.UnknownPeer, VrrpAdvertisementValidator.Check(r, settings with { UnicastPeers = [IPAddress.Parse("10.99.0.3")] }));
        Assert.Equal(VrrpRejectReason.Destination, VrrpAdvertisementValidator.Check(r, settings with { UnicastPeers = [] }));
    }
}

/// <summary>Receiver checks of an IPv6 instance (hop limit and destination come from the control messages).</summary>
public sealed class VrrpAdvertisementValidatorIpv6Tests
{
    private static readonly VrrpInstanceSettings V6 = new()
    {
        Name = "VI_6",
        Version = VrrpVersion.V3,
        VirtualRouterId = 61,
        Priority = 100,
        IntervalCentiseconds = 10,
        VirtualAddresses = [new VirtualAddress(IPAddress.Parse("fd99::100"), 64)],
    };

    private static readonly IPAddress Peer = IPAddress.Parse("fe80::a85a:64ff:feb3:b730");

    private static ReceivedAdvertisement Received(byte hopLimit, IPAddress destination)
    {
        var advert = new VrrpAdvertisement(VrrpVersion.V3, 61, 200, 10, [IPAddress.Parse("fd99::100")]);
        var message = VrrpPacketCodec.EncodeMessage(advert, Peer, destination);
        Assert.Equal(VrrpRejectReason.None, VrrpPacketCodec.TryDecodeIpv6(message, Peer, destination, hopLimit, out var r));
        return r!;
    }

    [Fact]
    public void Multicast_advert_with_hop_limit_255_is_accepted_and_anything_else_is_not()
    {
        Assert.Equal(VrrpRejectReason.None, VrrpAdvertisementValidator.Check(Received(255, VrrpPacketCodec.MulticastGroupV6), V6));
        Assert.Equal(VrrpRejectReason.Ttl, VrrpAdvertisementValidator.Check(Received(254, VrrpPacketCodec.MulticastGroupV6), V6));
        Assert.Equal("hop limit 254, expected 255", VrrpAdvertisementValidator.Describe(VrrpRejectReason.Ttl, Received(254, VrrpPacketCodec.MulticastGroupV6), V6));
        // A unicast packet on a multicast instance.
        Assert.Equal(VrrpRejectReason.Destination, VrrpAdvertisementValidator.Check(Received(255, IPAddress.Parse("fd99::1")), V6));
        Assert.Equal(VrrpRejectReason.AddressList, VrrpAdvertisementValidator.Check(Received(255, VrrpPacketCodec.MulticastGroupV6),
            V6 with { VirtualAddresses = [new VirtualAddress(IPAddress.Parse("fd99::101"), 64)] }));
    }

    [Fact]
    public void Unicast_skips_the_hop_limit_as_keepalived_does_but_checks_the_peer()
    {
        // keepalived sends IPv6 unicast adverts with the kernel's default hop limit (64) and does not check it on unicast.
        var unicast = V6 with { UnicastPeers = [Peer] };
        Assert.Equal(VrrpRejectReason.None, VrrpAdvertisementValidator.Check(Received(64, IPAddress.Parse("fd99::1")), unicast));
        Assert.Equal(VrrpRejectReason.Destination, VrrpAdvertisementValidator.Check(Received(255, VrrpPacketCodec.MulticastGroupV6), unicast));
        Assert.Equal(VrrpRejectReason.UnknownPeer, VrrpAdvertisementValidator.Check(Received(64, IPAddress.Parse("fd99::1")),
            V6 with { UnicastPeers = [IPAddress.Parse("fd99::2")] }));
    }
}
