using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// A <c>listen</c> directive as a Kestrel URL: "80" → http://*:80, "127.0.0.1:8080" → http://127.0.0.1:8080,
/// "[::]:80" → http://[::]:80, "443 ssl" → https://*:443 (HTTP/2 by ALPN there, so "http2" needs no warning).
/// QUIC, PROXY protocol and unix sockets cannot be carried over.
/// </summary>
internal sealed record ListenAddress(string Url, int Port, string Host, bool DefaultServer, bool Ssl = false)
{
    private static readonly string[] UntranslatableFlags = ["quic", "proxy_protocol"];

    private static readonly string[] IgnoredPrefixes =
    [
        "backlog=", "rcvbuf=", "sndbuf=", "ipv6only=", "so_keepalive=", "fastopen=", "accept_filter=", "setfib=",
    ];

    private static readonly string[] IgnoredFlags = ["bind", "reuseport", "deferred", "http2", "spdy"];

    public static ListenAddress? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1))
        {
            return null;
        }

        var address = d.Args[0];
        var isDefault = false;
        var ssl = d.Args.Skip(1).Contains("ssl");
        foreach (var arg in d.Args.Skip(1))
        {
            if (arg is "default_server" or "default")
            {
                isDefault = true;
            }
            else if (arg == "ssl" || (arg == "http2" && ssl))
            {
                // an https:// listener, which offers HTTP/2 by ALPN
            }
            else if (UntranslatableFlags.Contains(arg))
            {
                diagnostics.NotTranslated(d, $"\"{arg}\" listeners are not supported by the gateway");
                return null;
            }
            else if (IgnoredFlags.Contains(arg) || IgnoredPrefixes.Any(p => arg.StartsWith(p, StringComparison.Ordinal)))
            {
                diagnostics.Warning(d, $"listen parameter \"{arg}\" is not translated; ignored");
            }
            else
            {
                diagnostics.Error(d, $"invalid parameter \"{arg}\"");
                return null;
            }
        }

        if (address.StartsWith("unix:", StringComparison.Ordinal))
        {
            diagnostics.NotTranslated(d, "unix-domain socket listeners are not supported");
            return null;
        }

        if (NginxNumber.TryParse(address, out var bare))
        {
            if (bare is < 1 or > 65535)
            {
                diagnostics.Error(d, $"invalid port in \"{address}\" of the \"listen\" directive");
                return null;
            }

            return new ListenAddress($"{Scheme(ssl)}://*:{bare}", (int)bare, "*", isDefault, ssl);
        }

        if (!HostPort.TryParse(address, out var endpoint, out var error))
        {
            diagnostics.Error(d, $"{error} in \"{address}\" of the \"listen\" directive");
            return null;
        }

        if (endpoint!.Host != "*" && endpoint.Host != "localhost" && !endpoint.IsIpLiteral)
        {
            diagnostics.NotTranslated(d, $"host name \"{endpoint.Host}\" in listen; use an IP address");
            return null;
        }

        var port = endpoint.Port ?? 80;
        return new ListenAddress($"{Scheme(ssl)}://{endpoint.UrlHost}:{port}", port, endpoint.Host, isDefault, ssl);
    }

    private static string Scheme(bool ssl) => ssl ? "https" : "http";
}
