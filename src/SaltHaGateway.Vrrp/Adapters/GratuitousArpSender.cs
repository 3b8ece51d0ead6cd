using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>Sends gratuitous ARP through an AF_PACKET socket (managed code, no arping needed).</summary>
internal sealed class GratuitousArpSender : IDisposable
{
    private const ProtocolType EtherTypeArpNetworkOrder = (ProtocolType)0x0608;
    private readonly Socket _socket;
    private readonly NetworkInterfaceInfo _nic;
    private readonly SocketAddress _destination;

    public GratuitousArpSender(NetworkInterfaceInfo nic)
    {
        _nic = nic;
        try
        {
            _socket = new Socket(AddressFamily.Packet, SocketType.Raw, EtherTypeArpNetworkOrder);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied)
        {
            throw new VrrpStartupException("gratuitous ARP needs CAP_NET_RAW (AF_PACKET socket refused).");
        }
        // sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr
        _destination = new SocketAddress(AddressFamily.Packet, 20);
        var b = _destination.Buffer.Span;
        b[2] = 0x08; b[3] = 0x06;
        BitConverter.GetBytes(nic.Index).CopyTo(b[4..8]);
        b[8] = 0x00; b[9] = 0x01;
        b[11] = 6;
        b.Slice(12, 6).Fill(0xFF);
    }

    public void Send(IPAddress vip) => _socket.SendTo(GratuitousArpFrame.Build(_nic.Mac, vip), SocketFlags.None, _destination);

    public void Dispose() => _socket.Dispose();
}
