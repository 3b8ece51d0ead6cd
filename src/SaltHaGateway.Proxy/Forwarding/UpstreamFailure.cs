using System.Net.Http;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>How a failed try is seen through nginx's eyes (proxy_next_upstream).</summary>
public enum UpstreamFailureKind
{
    /// <summary>Not a server failure (the client went away, the body could not be read, the response had started).</summary>
    None,
    /// <summary>The connection could not be made: nothing was sent, so even a POST may go to the next server.</summary>
    ConnectError,
    /// <summary>The TLS handshake failed (certificate rejected, no common protocol, ...): nothing was sent.</summary>
    TlsError,
    /// <summary>The connect timed out: nothing was sent.</summary>
    ConnectTimeout,
    /// <summary>The connection failed after the request was (maybe) sent: only idempotent requests move on.</summary>
    Error,
    /// <summary>The server did not answer in time after the request was sent.</summary>
    Timeout,
}

public static class UpstreamFailure
{
    public static UpstreamFailureKind Classify(IForwarderErrorFeature error)
    {
        switch (error.Error)
        {
            case ForwarderError.Request:
                if (IsTlsFailure(error.Exception)) return UpstreamFailureKind.TlsError;
                return IsConnectFailure(error.Exception) ? UpstreamFailureKind.ConnectError : UpstreamFailureKind.Error;
            case ForwarderError.RequestTimedOut:
                return Mentions(error.Exception, "ConnectTimeout") ? UpstreamFailureKind.ConnectTimeout : UpstreamFailureKind.Timeout;
            case ForwarderError.RequestBodyDestination:
                return UpstreamFailureKind.Error;
            default:
                return UpstreamFailureKind.None;
        }
    }

    public static string Reason(UpstreamFailureKind kind) => kind switch
    {
        UpstreamFailureKind.ConnectError => "connect_error",
        UpstreamFailureKind.TlsError => "tls_error",
        UpstreamFailureKind.ConnectTimeout => "connect_timeout",
        UpstreamFailureKind.Timeout => "timeout",
        _ => "error",
    };

    /// <summary>Why the TLS handshake failed, for the log; null when the failure was not a TLS one.</summary>
    public static string? TlsReason(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is UpstreamTlsException tls) return tls.Reason;
        }
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Security.Authentication.AuthenticationException) return x.InnerException?.Message ?? x.Message;
        }
        return null;
    }

    private static bool IsTlsFailure(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is System.Security.Authentication.AuthenticationException) return true;
            if (x is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError }) return true;
        }
        return false;
    }

    private static bool IsConnectFailure(Exception? e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpRequestException h && h.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
                return true;
            if (x is System.Net.Sockets.SocketException) return true;
        }
        return false;
    }

    private static bool Mentions(Exception? e, string text)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x.Message.Contains(text, StringComparison.Ordinal) || x is TimeoutException && x.Message.Contains("connect", StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }
}
