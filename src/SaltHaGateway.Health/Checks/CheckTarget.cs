namespace SaltHaGateway.Health;

/// <summary>
/// One checked server in one upstream. <paramref name="Server"/> is the status page's name column
/// (e.g. "192.168.1.19:6868"); <paramref name="Host"/>/<paramref name="Port"/> are the server's address;
/// <paramref name="HostHeader"/> is sent with http(s) checks and used as the TLS server name.
/// </summary>
public sealed record CheckTarget(string Upstream, string Server, string Host, int Port, string? HostHeader, CheckSpec Spec)
{
    /// <summary>The port probes go to: port= when set, else the server's own.</summary>
    public int CheckPort => Spec.Port != 0 ? Spec.Port : Port;
}
