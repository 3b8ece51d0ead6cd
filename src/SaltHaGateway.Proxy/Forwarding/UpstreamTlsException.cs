using System.Security.Authentication;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>The TLS handshake with an upstream server failed; <see cref="Reason"/> says why in a log-friendly way
/// (a rejected certificate, a protocol mismatch, or the error the handshake ended with).</summary>
public sealed class UpstreamTlsException(string reason, Exception inner)
    : AuthenticationException($"TLS handshake with the upstream failed: {reason}", inner)
{
    public string Reason { get; } = reason;
}
