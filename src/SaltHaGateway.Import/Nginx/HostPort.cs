using System.Net;
using System.Text.RegularExpressions;

using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// "host[:port]" as nginx's ngx_parse_url reads it in upstream servers, proxy_pass and listen:
/// a name, a dotted IPv4 address or a bracketed IPv6 address, optionally followed by a port 1-65535.
/// </summary>
internal sealed partial record HostPort(string Host, int? Port)
{
    /// <summary>Host as it goes into a URL (IPv6 keeps its brackets).</summary>
    public string UrlHost => Host.Contains(':') ? $"[{Host}]" : Host;

    public bool IsIpLiteral => IsIPv4(Host) || (Host.Contains(':') && IPAddress.TryParse(Host, out _));

    public string Authority(int defaultPort) => $"{UrlHost}:{Port ?? defaultPort}";

    public static bool TryParse(string text, out HostPort? result, out string error)
    {
        result = null;
        error = "";
        string host;
        string? port = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']');
            if (close < 0)
            {
                error = "invalid host";
                return false;
            }

            host = text[1..close];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                error = "invalid IPv6 address";
                return false;
            }

            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = "invalid host";
                    return false;
                }

                port = rest[1..];
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
            if (host.Length == 0 || !HostName().IsMatch(host))
            {
                error = "invalid host";
                return false;
            }
        }

        int? portNumber = null;
        if (port is not null)
        {
            if (!NginxNumber.TryParse(port, out var p) || p is < 1 or > 65535)
            {
                error = "invalid port";
                return false;
            }

            portNumber = (int)p;
        }

        result = new HostPort(host, portNumber);
        return true;
    }

    public static bool IsIPv4(string host) => IPv4().IsMatch(host) && IPAddress.TryParse(host, out _);

    [GeneratedRegex(@"^[A-Za-z0-9_*]([A-Za-z0-9_.*-]*[A-Za-z0-9_])?$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")]
    private static partial Regex IPv4();
}
