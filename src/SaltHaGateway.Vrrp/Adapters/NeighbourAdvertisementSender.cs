using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// Sends unsolicited Neighbour Advertisements for IPv6 VIPs through an AF_PACKET socket, as keepalived's
/// vrrp_ndisc.c does (the IPv6 counterpart of <see cref="GratuitousArpSender"/>).
/// </summary>
internal sealed class NeighbourAdvertisementSender : IDisposable
{
    private const ProtocolType EtherTypeIpv6NetworkOrder = (ProtocolType)0xDD86;
    private readonly Socket _socket;
    private readonly NetworkInterfaceInfo _nic;
    private readonly string _forwardingInterface;
    private readonly SocketAddress _destination;

    /// <param name="forwardingInterface">Whose net.ipv6.conf.*.forwarding sets the Router flag (the base of a vmac).</param>
    public NeighbourAdvertisementSender(NetworkInterfaceInfo nic, string forwardingInterface)
    {
        _nic = nic;
        _forwardingInterface = forwardingInterface;
        try
        {
            _socket = new Socket(AddressFamily.Packet, SocketType.Raw, EtherTypeIpv6NetworkOrder);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.AccessDenied)
        {
            throw new VrrpStartupException("unsolicited Neighbour Advertisements need CAP_NET_RAW (AF_PACKET socket refused).");
        }
        // sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr
        _destination = new SocketAddress(AddressFamily.Packet, 20);
        var b = _destination.Buffer.Span;
        b[2] = 0x86; b[3] = 0xDD;
        BitConverter.GetBytes(nic.Index).CopyTo(b[4..8]);
        b[8] = 0x00; b[9] = 0x01;
        b[11] = 6;
        b[12] = 0x33; b[13] = 0x33; b[17] = 0x01;
    }

    public void Send(IPAddress vip) =>
        _socket.SendTo(NeighbourAdvertisementFrame.Build(_nic.Mac, vip, IsRouter(_forwardingInterface)), SocketFlags.None, _destination);

    /// <summary>keepalived sets the Router flag when IPv6 forwarding is on for the interface (it re-reads it every 5 s).</summary>
    internal static bool IsRouter(string device)
    {
        try
        {
            return File.ReadAllText($"/proc/sys/net/ipv6/conf/{device}/forwarding").Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
