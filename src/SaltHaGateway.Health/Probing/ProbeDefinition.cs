namespace SaltHaGateway.Health;

/// <summary>
/// Everything that decides what goes on the wire and when. Targets with equal definitions (the same server
/// listed in several upstreams with the same check) share one probe loop; each keeps its own counters.
/// </summary>
public sealed record ProbeDefinition(
    string Host,
    int Port,
    string? HostHeader,
    CheckType Type,
    TimeSpan Interval,
    TimeSpan Timeout,
    string HttpSend,
    HttpStatusClasses ExpectAlive,
    bool TlsVerify,
    UpstreamTls? Tls = null)
{
    public static ProbeDefinition For(CheckTarget target) => new(
        target.Host, target.CheckPort, target.HostHeader, target.Spec.Type, target.Spec.Interval, target.Spec.Timeout,
        target.Spec.HttpSend, target.Spec.ExpectAlive, target.Spec.TlsVerify, target.Spec.Tls);

    public override string ToString() => $"{Type.ToModuleName()} {Host}:{Port}";
}
