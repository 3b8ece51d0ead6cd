using System.Net;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>The 42-byte broadcast ARP request keepalived sends for each VIP (sender = target = VIP).</summary>
public static class GratuitousArpFrame
{
    public const int Length = 42;

    public static byte[] Build(ReadOnlySpan<byte> mac, IPAddress vip)
    {
        var f = new byte[Length];
        f.AsSpan(0, 6).Fill(0xFF);
        mac.CopyTo(f.AsSpan(6, 6));
        f[12] = 0x08; f[13] = 0x06;
        f[15] = 1;                 // HTYPE Ethernet
        f[16] = 0x08;              // PTYPE IPv4
        f[18] = 6; f[19] = 4;
        f[21] = 1;                 // request
        mac.CopyTo(f.AsSpan(22, 6));
        vip.TryWriteBytes(f.AsSpan(28, 4), out _);
        f.AsSpan(32, 6).Fill(0xFF);
        vip.TryWriteBytes(f.AsSpan(38, 4), out _);
        return f;
    }
}
