using System.Buffers.Binary;
using System.Net;
using SaltHaGateway.Vrrp.Adapters;

namespace SaltHaGateway.Vrrp.Tests.Adapters;

/// <summary>The sender's address and the IPV6_HOPLIMIT / IPV6_PKTINFO control messages that recvmsg returns.</summary>
public sealed class VrrpRawSocket6Tests
{
    private static byte[] Sockaddr(IPAddress address, uint scope)
    {
        var b = new byte[28];
        BinaryPrimitives.WriteUInt16LittleEndian(b, 10);
        address.TryWriteBytes(b.AsSpan(8, 16), out _);
        BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(24), scope);
        return b;
    }

    private static byte[] Cmsg(int type, byte[] data)
    {
        var b = new byte[(16 + data.Length + 7) & ~7];
        BinaryPrimitives.WriteInt64LittleEndian(b, 16 + data.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(8), 41);
        BinaryPrimitives.WriteInt32LittleEndian(b.AsSpan(12), type);
        data.CopyTo(b, 16);
        return b;
    }

    [Fact]
    public void Reads_hop_limit_and_destination_from_control_messages()
    {
        var pktinfo = new byte[20];
        IPAddress.Parse("ff02::12").TryWriteBytes(pktinfo, out _);
        BinaryPrimitives.WriteInt32LittleEndian(pktinfo.AsSpan(16), 2);
        byte[] control = [.. Cmsg(50, pktinfo), .. Cmsg(52, BitConverter.GetBytes(255))];
        var e = VrrpRawSocket6.Parse(Sockaddr(IPAddress.Parse("fe80::a85a:64ff:feb3:b730"), 2), control);
        Assert.Equal(255, e.Ttl);
        Assert.Equal(IPAddress.Parse("ff02::12"), e.Destination);
        // No scope id, so the source equals a configured peer address.
        Assert.Equal(IPAddress.Parse("fe80::a85a:64ff:feb3:b730"), e.Source);
        Assert.Equal(0, e.Source.ScopeId);
    }

    [Fact]
    public void Missing_or_truncated_control_data_fails_the_checks_instead_of_passing_them()
    {
        var e = VrrpRawSocket6.Parse(Sockaddr(IPAddress.Parse("fd99::2"), 0), []);
        Assert.Equal(0, e.Ttl);
        Assert.Equal(IPAddress.IPv6None, e.Destination);
        var hop = Cmsg(52, BitConverter.GetBytes(255));
        var truncated = VrrpRawSocket6.Parse(Sockaddr(IPAddress.Parse("fd99::2"), 0), hop.AsSpan(0, 18));
        Assert.Equal(0, truncated.Ttl);
        var lying = (byte[])hop.Clone();
        BinaryPrimitives.WriteInt64LittleEndian(lying, 4000);
        Assert.Equal(0, VrrpRawSocket6.Parse(Sockaddr(IPAddress.Parse("fd99::2"), 0), lying).Ttl);
    }
}
