namespace SaltHaGateway.Vrrp.Wire;

/// <summary>A structurally valid advertisement together with the IP envelope it arrived in.</summary>
public sealed record ReceivedAdvertisement(VrrpAdvertisement Advertisement, Ipv4Header Ip, bool LegacyUnicastChecksum);
