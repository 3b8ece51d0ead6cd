using System.Net;
using Microsoft.AspNetCore.Http;

namespace SaltHaGateway.Proxy;

/// <summary>The client's address as nginx's <c>$remote_addr</c> prints it (IPv4-mapped IPv6 shown as IPv4).</summary>
public static class ClientAddress
{
    public static IPAddress? IpOf(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        return ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;
    }

    public static string Of(HttpContext context) => IpOf(context)?.ToString() ?? "unix:";
}
