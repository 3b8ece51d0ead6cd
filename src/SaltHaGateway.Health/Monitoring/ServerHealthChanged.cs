namespace SaltHaGateway.Health;

/// <summary>
/// A server went up or down in one upstream. Raised after the state changed; a handler can close idle
/// pooled connections to a server that went down, or re-evaluate VRRP tracking.
/// </summary>
public sealed record ServerHealthChanged(
    string Upstream,
    string Server,
    string Host,
    int Port,
    bool IsUp,
    string Reason,
    long Rise,
    long Fall,
    DateTimeOffset At);
