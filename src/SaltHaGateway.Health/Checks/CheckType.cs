namespace SaltHaGateway.Health;

/// <summary>How a server is probed. Names on the status page follow nginx_upstream_check_module.</summary>
public enum CheckType
{
    /// <summary>A fresh TCP connection per check; the peer must not reset or close it at once.</summary>
    Tcp,
    /// <summary>Send the configured request, judge the status line's class.</summary>
    Http,
    /// <summary>A TLS handshake completes (no certificate checks).</summary>
    SslHello,
    /// <summary>The http check over TLS, with SNI and an optional certificate check.</summary>
    Https,
}

public static class CheckTypeNames
{
    public static string ToModuleName(this CheckType type) => type switch
    {
        CheckType.Tcp => "tcp",
        CheckType.Http => "http",
        CheckType.SslHello => "ssl_hello",
        CheckType.Https => "https",
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Case-sensitive, as the module's type table lookup.</summary>
    public static bool TryParse(string value, out CheckType type)
    {
        switch (value)
        {
            case "tcp": type = CheckType.Tcp; return true;
            case "http": type = CheckType.Http; return true;
            case "ssl_hello": type = CheckType.SslHello; return true;
            case "https": type = CheckType.Https; return true;
            default: type = default; return false;
        }
    }

    /// <summary>Types the module knows but this gateway does not probe; named so the error can say so.</summary>
    internal static bool IsModuleOnly(string value) => value is "mysql" or "ajp" or "fastcgi";
}
