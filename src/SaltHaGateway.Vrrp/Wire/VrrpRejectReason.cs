namespace SaltHaGateway.Vrrp.Wire;

/// <summary>Why a received packet was not accepted as an advertisement for an instance (metric label values).</summary>
public enum VrrpRejectReason
{
    None = 0,
    Malformed,
    Length,
    Ttl,
    Version,
    Type,
    Checksum,
    UnknownVrid,
    AuthType,
    AuthPassword,
    Interval,
    AddressCount,
    AddressList,
    Destination,
    UnknownPeer,
}

public static class VrrpRejectReasonNames
{
    /// <summary>Lower-case label used in metrics and status output.</summary>
    public static string ToLabel(this VrrpRejectReason reason) => reason switch
    {
        VrrpRejectReason.Malformed => "malformed",
        VrrpRejectReason.Length => "length",
        VrrpRejectReason.Ttl => "ttl",
        VrrpRejectReason.Version => "version",
        VrrpRejectReason.Type => "type",
        VrrpRejectReason.Checksum => "checksum",
        VrrpRejectReason.UnknownVrid => "vrid",
        VrrpRejectReason.AuthType => "auth_type",
        VrrpRejectReason.AuthPassword => "auth_password",
        VrrpRejectReason.Interval => "interval",
        VrrpRejectReason.AddressCount => "address_count",
        VrrpRejectReason.AddressList => "address_list",
        VrrpRejectReason.Destination => "destination",
        VrrpRejectReason.UnknownPeer => "peer",
        _ => "none",
    };
}
