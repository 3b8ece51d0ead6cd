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
