namespace SaltHaGateway.Health;

/// <summary>
/// One upstream's validated check parameters: the module's <c>check</c> directive plus check_http_send,
/// check_http_expect_alive and check_keepalive_requests. Value equality decides whether a reload
/// changed a server's check (and so whether its counters are kept).
/// </summary>
public sealed record CheckSpec
{
    public const string DefaultHttpSend = "GET / HTTP/1.0\r\n\r\n";

    public CheckType Type { get; init; } = CheckType.Tcp;
    public TimeSpan Interval { get; init; } = TimeSpan.FromMilliseconds(30000);
    public int Rise { get; init; } = 2;
    public int Fall { get; init; } = 5;
    /// <summary>One budget for the whole check: connect, TLS, send and receive.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMilliseconds(1000);
    public bool DefaultDown { get; init; } = true;
    /// <summary>The configured port= value; 0 means the server's own port (and is what the status page shows).</summary>
    public int Port { get; init; }
    /// <summary>Raw request bytes (escapes already expanded) for http and https checks; empty for the others.</summary>
    public string HttpSend { get; init; } = "";
    public HttpStatusClasses ExpectAlive { get; init; } = HttpStatusClassesParser.Default;
    /// <summary>Accepted for compatibility; every check uses a fresh connection.</summary>
    public int KeepaliveRequests { get; init; } = 1;
    /// <summary>https only: verify the server certificate and its name (ssl_verify=true).</summary>
    public bool TlsVerify { get; init; }
    /// <summary>The upstream's TLS settings (proxy_ssl_*) for https and ssl_hello checks, so a check meets the server
    /// as the proxy does; null for a checker used without the proxy.</summary>
    public UpstreamTls? Tls { get; init; }

    /// <summary>The name the status page shows in its type column.</summary>
    public string TypeName => Type.ToModuleName();

    /// <summary>The module's defaults for a bare <c>check</c> directive.</summary>
    public static CheckSpec Default { get; } = new();

    /// <summary>
    /// Parses the check directive's parameters (e.g. "interval=3000 rise=2 fall=5 timeout=1000 type=tcp")
    /// and the three companion directives (null = not set). Rejects what the module's parser rejects;
    /// <paramref name="errors"/> holds plain reasons for the caller to prefix with a location.
    /// </summary>
    public static bool TryParse(string checkLine, string? httpSend, string? expectAlive, string? keepaliveRequests,
        out CheckSpec? spec, out IReadOnlyList<string> errors)
        => CheckSpecParser.TryParse(checkLine, httpSend, expectAlive, keepaliveRequests, out spec, out errors);
}
