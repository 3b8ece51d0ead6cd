using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// One raw IPv4 protocol-112 socket bound to an interface, used both to receive (full IP header included)
/// and to send datagrams whose IP header we build ourselves (IP_HDRINCL), like keepalived does.
/// </summary>
internal sealed class VrrpRawSocket : IDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int IpProtoIp = 0;
    private const int IpMulticastIf = 32;
    private const int IpMulticastAll = 49;
    private readonly Socket _socket;

    private VrrpRawSocket(Socket socket) => _socket = socket;

    public static VrrpRawSocket Open(NetworkInterfaceInfo nic, bool joinMulticast)
    {
        int fd = LibC.socket(LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, VrrpPacketCodec.ProtocolNumber);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EPERM or LibC.EACCES
                ? new VrrpStartupException("VRRP needs CAP_NET_RAW to open a raw IP protocol 112 socket (run as root or grant AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN).")
                : new VrrpStartupException($"cannot open raw VRRP socket: errno {errno}");
        }
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(nic.Name + "\0"));
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.HeaderIncluded, true);
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, false);
            socket.SetRawSocketOption(IpProtoIp, IpMulticastAll, BitConverter.GetBytes(0));
            var mreqn = new byte[12];
            BitConverter.GetBytes(nic.Index).CopyTo(mreqn, 8);
            socket.SetRawSocketOption(IpProtoIp, IpMulticastIf, mreqn);
            if (joinMulticast)
            {
                socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership,
                    new MulticastOption(VrrpPacketCodec.MulticastGroup, nic.Index));
            }
            return new VrrpRawSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Send(byte[] datagram, IPAddress destination)
    {
        // DontRoute keeps multicast adverts on the bound link, as keepalived does.
        var flags = destination.Equals(VrrpPacketCodec.MulticastGroup) ? SocketFlags.DontRoute : SocketFlags.None;
        _socket.SendTo(datagram, flags, new IPEndPoint(destination, 0));
    }

    /// <summary>Blocking receive with a short timeout so the caller's loop can notice cancellation.</summary>
    public int Receive(Span<byte> buffer, TimeSpan timeout)
    {
        _socket.ReceiveTimeout = (int)timeout.TotalMilliseconds;
        return _socket.Receive(buffer);
    }

    public void Dispose() => _socket.Dispose();
}
