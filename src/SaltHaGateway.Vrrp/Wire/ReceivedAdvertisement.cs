namespace SaltHaGateway.Vrrp.Wire;

/// <summary>A structurally valid advertisement together with the IP envelope it arrived in.</summary>
public sealed record ReceivedAdvertisement(VrrpAdvertisement Advertisement, IpEnvelope Ip, bool LegacyUnicastChecksum);
