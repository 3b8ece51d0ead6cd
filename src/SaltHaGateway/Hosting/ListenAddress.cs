using System.Net;

namespace SaltHaGateway.Hosting;

/// <summary>A listener URL such as <c>http://*:80</c>, <c>http://127.0.0.1:9145</c>, <c>http://[::]:80</c> or
/// <c>https://*:443</c>, parsed into what Kestrel needs. An https listener takes its certificate from
/// <c>Gateway:Tls</c> (nginx's <c>listen 443 ssl</c>).</summary>
public sealed record ListenAddress(string Url, IPAddress? Address, int Port, bool Https = false)
{
    /// <summary>True for <c>*</c>, <c>+</c>, <c>0.0.0.0</c> and <c>[::]</c>: every interface, IPv4 and IPv6.</summary>
    public bool IsAny => Address is null;

    public bool IsLoopback => Address is not null && IPAddress.IsLoopback(Address);

    public static bool TryParse(string? url, out ListenAddress? address, out string? error)
    {
        address = null;
        error = null;
        if (string.IsNullOrWhiteSpace(url)) { error = "missing: expected a URL such as http://*:80"; return false; }
        var text = url.Trim();
        var https = text.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
        if (!https && !text.StartsWith("http://", StringComparison.OrdinalIgnoreCase))
        {
            error = $"\"{url}\" is not supported: only http:// and https:// listeners (for example http://*:80 or https://*:443)";
            return false;
        }
        var hostPort = text[(https ? "https://" : "http://").Length..].TrimEnd('/');
        var colon = hostPort.LastIndexOf(':');
        if (colon <= 0 || hostPort.EndsWith(']'))
        {
            error = $"\"{url}\" has no port (for example http://*:80)";
            return false;
        }
        var host = hostPort[..colon];
        if (!int.TryParse(hostPort[(colon + 1)..], out var port) || port is < 0 or > 65535)
        {
            error = $"\"{url}\" has an invalid port";
            return false;
        }
        IPAddress? ip;
        switch (host)
        {
            case "*" or "+" or "0.0.0.0" or "[::]":
                ip = null;
                break;
            case "localhost":
                ip = IPAddress.Loopback;
                break;
            default:
                if (!IPAddress.TryParse(host.Trim('[', ']'), out ip))
                {
                    error = $"\"{url}\": \"{host}\" is not an IP address, *, or localhost";
                    return false;
                }
                break;
        }
        address = new ListenAddress(text, ip, port, https);
        return true;
    }

    public override string ToString() => Url;
}
