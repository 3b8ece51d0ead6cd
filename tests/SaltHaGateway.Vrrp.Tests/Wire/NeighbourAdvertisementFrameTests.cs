using System.Net;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Wire;

public sealed class NeighbourAdvertisementFrameTests
{
    // The unsolicited NA keepalived 2.2.7 sent for fd99::100 on becoming master (tcpdump in a lab, IPv6 forwarding off).
    private const string KeepalivedFrame =
        "333300000001" + "AA5A64B3B730" + "86DD"
        + "60000000" + "0020" + "3A" + "FF" + "FD990000000000000000000000000100" + "FF020000000000000000000000000001"
        + "88" + "00" + "932D" + "20000000" + "FD990000000000000000000000000100" + "02" + "01" + "AA5A64B3B730";

    private static readonly byte[] Mac = [0xAA, 0x5A, 0x64, 0xB3, 0xB7, 0x30];

    [Fact]
    public void Builds_keepalived_unsolicited_na_byte_for_byte()
    {
        var frame = NeighbourAdvertisementFrame.Build(Mac, IPAddress.Parse("fd99::100"), router: false);
        Assert.Equal(KeepalivedFrame, Convert.ToHexString(frame));
    }

    [Fact]
    public void Router_flag_is_set_when_forwarding_and_the_checksum_follows()
    {
        var frame = NeighbourAdvertisementFrame.Build(Mac, IPAddress.Parse("fd99::100"), router: true);
        var icmp = frame.AsSpan(54);
        Assert.Equal(NeighbourAdvertisementFrame.RouterFlag | NeighbourAdvertisementFrame.OverrideFlag, icmp[4]);
        // A correct ICMPv6 checksum sums to zero with the pseudo-header (source = the VIP, destination = ff02::1).
        Assert.Equal(0, NeighbourAdvertisementFrame.Checksum(frame.AsSpan(22, 16), frame.AsSpan(38, 16), icmp));
        Assert.NotEqual(KeepalivedFrame, Convert.ToHexString(frame));
    }

    [Fact]
    public void Refuses_an_ipv4_target()
    {
        Assert.Throws<ArgumentException>(() => NeighbourAdvertisementFrame.Build(Mac, IPAddress.Parse("10.0.0.1"), router: false));
    }
}
