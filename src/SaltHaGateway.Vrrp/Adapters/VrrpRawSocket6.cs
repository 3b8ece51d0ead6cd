using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// One raw IPv6 protocol-112 socket bound to an interface, for VRRPv3 over IPv6. IPv6 raw sockets deliver no IP
/// header, so the hop limit and the destination (multicast or not) arrive as IPV6_HOPLIMIT and IPV6_PKTINFO control
/// messages, read here with recvmsg (the managed receive calls do not surface the hop limit). Sending sets the
/// source address and interface per packet (IPV6_PKTINFO), hop limit 255 and traffic class 0xC0, as keepalived does.
/// The checksum is computed and verified in user space (the codec), so IPV6_CHECKSUM stays off.
/// </summary>
internal sealed class VrrpRawSocket6 : IDisposable
{
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;
    private const int IpProtoIpv6 = 41;
    private const int Ipv6UnicastHops = 16;
    private const int Ipv6MulticastIf = 17;
    private const int Ipv6MulticastHops = 18;
    private const int Ipv6MulticastLoop = 19;
    private const int Ipv6AddMembership = 20;
    private const int Ipv6MulticastAll = 29;
    private const int Ipv6RecvPktInfo = 49;
    private const int Ipv6PktInfo = 50;
    private const int Ipv6RecvHopLimit = 51;
    private const int Ipv6HopLimit = 52;
    private const int Ipv6TrafficClass = 67;
    private const int SockaddrIn6Length = 28;
    private const int CmsgHeaderLength = 16;
    private readonly Socket _socket;
    private readonly int _ifIndex;

    private VrrpRawSocket6(Socket socket, int ifIndex)
    {
        _socket = socket;
        _ifIndex = ifIndex;
    }

    public static VrrpRawSocket6 Open(NetworkInterfaceInfo nic, bool joinMulticast)
    {
        int fd = LibC.socket(LibC.AF_INET6, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, VrrpPacketCodec.ProtocolNumber);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw errno is LibC.EPERM or LibC.EACCES
                ? new VrrpStartupException("VRRP needs CAP_NET_RAW to open a raw IPv6 protocol 112 socket (run as root or grant AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN).")
                : new VrrpStartupException($"cannot open raw IPv6 VRRP socket: errno {errno}");
        }
        var socket = new Socket(new SafeSocketHandle(fd, ownsHandle: true));
        try
        {
            socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(nic.Name + "\0"));
            Int(socket, Ipv6MulticastAll, 0);
            Int(socket, Ipv6MulticastIf, nic.Index);
            Int(socket, Ipv6MulticastLoop, 0);
            Int(socket, Ipv6MulticastHops, 255);
            Int(socket, Ipv6UnicastHops, 255);
            Int(socket, Ipv6RecvHopLimit, 1);
            Int(socket, Ipv6RecvPktInfo, 1);
            // Traffic class CS6 ("network control"), what keepalived sends.
            Int(socket, Ipv6TrafficClass, 0xC0);
            if (joinMulticast)
            {
                // struct ipv6_mreq: group, interface index
                var mreq = new byte[20];
                VrrpPacketCodec.MulticastGroupV6.TryWriteBytes(mreq.AsSpan(0, 16), out _);
                BinaryPrimitives.WriteInt32LittleEndian(mreq.AsSpan(16), nic.Index);
                socket.SetRawSocketOption(IpProtoIpv6, Ipv6AddMembership, mreq);
            }
            return new VrrpRawSocket6(socket, nic.Index);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static void Int(Socket socket, int option, int value) =>
        socket.SetRawSocketOption(IpProtoIpv6, option, BitConverter.GetBytes(value));

    /// <summary>Sends one VRRP message from <paramref name="source"/> out of the bound interface.</summary>
    public unsafe void Send(byte[] message, IPAddress source, IPAddress destination)
    {
        Span<byte> name = stackalloc byte[SockaddrIn6Length];
        name.Clear();
        BinaryPrimitives.WriteUInt16LittleEndian(name, LibC.AF_INET6);
        destination.TryWriteBytes(name.Slice(8, 16), out _);
        bool scoped = destination.IsIPv6LinkLocal || destination.IsIPv6Multicast;
        BinaryPrimitives.WriteUInt32LittleEndian(name.Slice(24, 4), scoped ? (uint)_ifIndex : 0);
        // One IPV6_PKTINFO control message: source address and outgoing interface.
        Span<byte> control = stackalloc byte[CmsgHeaderLength + 24];
        control.Clear();
        BinaryPrimitives.WriteUInt64LittleEndian(control, CmsgHeaderLength + 20);
        BinaryPrimitives.WriteInt32LittleEndian(control.Slice(8, 4), IpProtoIpv6);
        BinaryPrimitives.WriteInt32LittleEndian(control.Slice(12, 4), Ipv6PktInfo);
        source.TryWriteBytes(control.Slice(CmsgHeaderLength, 16), out _);
        BinaryPrimitives.WriteInt32LittleEndian(control.Slice(CmsgHeaderLength + 16, 4), _ifIndex);
        bool added = false;
        var handle = _socket.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            fixed (byte* data = message)
            fixed (byte* namePtr = name)
            fixed (byte* controlPtr = control)
            {
                var iov = new LibC.IoVec { Base = data, Length = (nuint)message.Length };
                var msg = new LibC.MsgHdr
                {
                    Name = namePtr, NameLength = SockaddrIn6Length, Iov = &iov, IovLength = 1,
                    Control = controlPtr, ControlLength = (nuint)control.Length,
                };
                // DontRoute keeps multicast adverts on the bound link, as keepalived does.
                int flags = destination.IsIPv6Multicast ? LibC.MSG_DONTROUTE : 0;
                if (LibC.sendmsg((int)handle.DangerousGetHandle(), &msg, flags) < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
                }
            }
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>
    /// Waits up to <paramref name="timeout"/> for one packet. Returns its length, or -1 when nothing came (the caller's
    /// loop looks at its token again). The source has no scope id, so it compares equal to configured peer addresses.
    /// </summary>
    public unsafe int Receive(Span<byte> buffer, TimeSpan timeout, out IpEnvelope envelope)
    {
        envelope = default;
        bool added = false;
        var handle = _socket.SafeHandle;
        try
        {
            handle.DangerousAddRef(ref added);
            int fd = (int)handle.DangerousGetHandle();
            var pfd = new LibC.PollFd { Fd = fd, Events = LibC.POLLIN };
            int ready = LibC.poll(&pfd, 1, (int)timeout.TotalMilliseconds);
            if (ready <= 0)
            {
                return -1;
            }
            Span<byte> name = stackalloc byte[SockaddrIn6Length];
            Span<byte> control = stackalloc byte[128];
            nint n;
            fixed (byte* data = buffer)
            fixed (byte* namePtr = name)
            fixed (byte* controlPtr = control)
            {
                var iov = new LibC.IoVec { Base = data, Length = (nuint)buffer.Length };
                var msg = new LibC.MsgHdr
                {
                    Name = namePtr, NameLength = SockaddrIn6Length, Iov = &iov, IovLength = 1,
                    Control = controlPtr, ControlLength = (nuint)control.Length,
                };
                n = LibC.recvmsg(fd, &msg, LibC.MSG_DONTWAIT);
                if (n < 0)
                {
                    return -1;
                }
                envelope = Parse(name, control[..(int)msg.ControlLength]);
            }
            return (int)n;
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>The source from sockaddr_in6, hop limit and destination from the control messages (-1/:: when absent).</summary>
    internal static IpEnvelope Parse(ReadOnlySpan<byte> sockaddr, ReadOnlySpan<byte> control)
    {
        var source = new IPAddress(sockaddr.Slice(8, 16));
        var destination = IPAddress.IPv6None;
        // An absent hop limit (it always comes with IPV6_RECVHOPLIMIT) reads as 0 and fails the check.
        byte hopLimit = 0;
        int offset = 0;
        while (offset + CmsgHeaderLength <= control.Length)
        {
            long length = BinaryPrimitives.ReadInt64LittleEndian(control.Slice(offset, 8));
            int level = BinaryPrimitives.ReadInt32LittleEndian(control.Slice(offset + 8, 4));
            int type = BinaryPrimitives.ReadInt32LittleEndian(control.Slice(offset + 12, 4));
            if (length < CmsgHeaderLength || offset + length > control.Length)
            {
                break;
            }
            var data = control.Slice(offset + CmsgHeaderLength, (int)length - CmsgHeaderLength);
            if (level == IpProtoIpv6 && type == Ipv6HopLimit && data.Length >= 4)
            {
                hopLimit = (byte)Math.Clamp(BinaryPrimitives.ReadInt32LittleEndian(data), 0, 255);
            }
            else if (level == IpProtoIpv6 && type == Ipv6PktInfo && data.Length >= 20)
            {
                destination = new IPAddress(data[..16]);
            }
            offset += (int)((length + 7) & ~7L);
        }
        return new IpEnvelope(hopLimit, source, destination);
    }

    public void Dispose() => _socket.Dispose();
}
