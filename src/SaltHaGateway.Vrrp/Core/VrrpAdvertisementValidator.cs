using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// The receiver checks of RFC 3768/5798 §7.1 plus keepalived's (VIP list, auth, unicast peer), in keepalived's
/// order so that the reason we report matches what a keepalived peer would say about the same packet.
/// </summary>
public static class VrrpAdvertisementValidator
{
    public static VrrpRejectReason Check(ReceivedAdvertisement received, VrrpInstanceSettings settings)
    {
        var advert = received.Advertisement;
        if (advert.VirtualRouterId != settings.VirtualRouterId)
        {
            return VrrpRejectReason.UnknownVrid;
        }
        // keepalived skips the hop-limit check for unicast; over IPv6 it sends unicast adverts with the kernel's default
        // hop limit (unicast_ttl unset), so a unicast IPv6 instance must not insist on 255.
        bool v6 = settings.Family == AddressFamily.InterNetworkV6;
        if (received.Ip.Ttl != 255 && !(v6 && settings.IsUnicast))
        {
            return VrrpRejectReason.Ttl;
        }
        if (advert.Version != settings.Version)
        {
            return VrrpRejectReason.Version;
        }
        if (advert.Version == VrrpVersion.V2)
        {
            if (advert.AuthType != settings.AuthType)
            {
                return VrrpRejectReason.AuthType;
            }
            if (settings.AuthType == VrrpAuthType.Password
                && !CryptographicOperations.FixedTimeEquals(advert.AuthData.Span, settings.AuthData.Span))
            {
                return VrrpRejectReason.AuthPassword;
            }
            if (advert.IntervalCentiseconds != settings.IntervalCentiseconds)
            {
                return VrrpRejectReason.Interval;
            }
        }
        if (advert.Addresses.Count != settings.VirtualAddresses.Count)
        {
            return VrrpRejectReason.AddressCount;
        }
        foreach (var vip in settings.VirtualAddresses)
        {
            if (!advert.Addresses.Contains(vip.Address))
            {
                return VrrpRejectReason.AddressList;
            }
        }
        // keepalived: an IPv4 advert is multicast when sent to a multicast group, an IPv6 one when IPV6_PKTINFO says so.
        bool multicast = v6 ? received.Ip.Destination.IsIPv6Multicast : received.Ip.Destination.Equals(VrrpPacketCodec.MulticastGroup);
        if (multicast == settings.IsUnicast)
        {
            return VrrpRejectReason.Destination;
        }
        if (settings.IsUnicast && !settings.UnicastPeers.Contains(received.Ip.Source))
        {
            return VrrpRejectReason.UnknownPeer;
        }
        return VrrpRejectReason.None;
    }

    /// <summary>A one-line description of the mismatch for the log, naming both sides.</summary>
    public static string Describe(VrrpRejectReason reason, ReceivedAdvertisement? received, VrrpInstanceSettings settings)
    {
        var a = received?.Advertisement;
        return reason switch
        {
            VrrpRejectReason.Ttl => settings.Family == AddressFamily.InterNetworkV6 ? $"hop limit {received?.Ip.Ttl}, expected 255" : $"TTL {received?.Ip.Ttl}, expected 255",
            VrrpRejectReason.Version => a is null ? "unknown VRRP version" : $"version {(int)a.Version}, expected {(int)settings.Version}",
            VrrpRejectReason.AuthType => $"auth type {(int?)a?.AuthType}, expected {(int)settings.AuthType}",
            VrrpRejectReason.AuthPassword => "authentication password differs",
            VrrpRejectReason.Interval => $"advertisement interval {a?.IntervalCentiseconds / 100} s, expected {settings.IntervalCentiseconds / 100} s",
            VrrpRejectReason.AddressCount => $"{a?.Addresses.Count} virtual addresses, expected {settings.VirtualAddresses.Count}",
            VrrpRejectReason.AddressList => $"virtual address {settings.VirtualAddresses.FirstOrDefault(v => a is not null && !a.Addresses.Contains(v.Address)).Address} missing from advert ({string.Join(", ", a?.Addresses ?? Array.Empty<IPAddress>())})",
            VrrpRejectReason.Destination => settings.IsUnicast ? $"multicast advert to {received?.Ip.Destination}, instance is unicast" : $"unicast advert to {received?.Ip.Destination}, instance is multicast",
            VrrpRejectReason.UnknownPeer => $"source {received?.Ip.Source} is not a configured unicast peer",
            VrrpRejectReason.Checksum => "checksum mismatch",
            VrrpRejectReason.Length => "length does not match the address count",
            VrrpRejectReason.Type => "packet type is not ADVERTISEMENT",
            _ => reason.ToLabel(),
        };
    }
}
