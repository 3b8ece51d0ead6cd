using System.Buffers.Binary;
using System.Net;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>The fields of a received IPv4 header that VRRP validation needs (raw sockets deliver the header).</summary>
public readonly record struct Ipv4Header(int HeaderLength, int TotalLength, byte Ttl, byte Protocol, IPAddress Source, IPAddress Destination)
{
    public const int MinimumLength = 20;

    public static bool TryParse(ReadOnlySpan<byte> datagram, out Ipv4Header header)
    {
        header = default;
        if (datagram.Length < MinimumLength || (datagram[0] >> 4) != 4)
        {
            return false;
        }
        int ihl = (datagram[0] & 0x0F) * 4;
        if (ihl < MinimumLength || ihl > datagram.Length)
        {
            return false;
        }
        header = new Ipv4Header(
            ihl,
            BinaryPrimitives.ReadUInt16BigEndian(datagram.Slice(2, 2)),
            datagram[8],
            datagram[9],
            new IPAddress(datagram.Slice(12, 4)),
            new IPAddress(datagram.Slice(16, 4)));
        return true;
    }
}
