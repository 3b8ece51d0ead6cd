using System.Net;

namespace SaltHaGateway.Vrrp.Wire;

/// <summary>
/// What the receiver checks need to know about the IP packet an advert came in: the IPv4 TTL or IPv6 hop limit,
/// the source and the destination. IPv4 raw sockets deliver the header; for IPv6 these come from the sender's
/// address and the IPV6_HOPLIMIT and IPV6_PKTINFO control messages.
/// </summary>
public readonly record struct IpEnvelope(byte Ttl, IPAddress Source, IPAddress Destination);
