using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace SaltHaGateway.Proxy;

/// <summary>The client's address as nginx's <c>$remote_addr</c> prints it (IPv4-mapped IPv6 shown as IPv4).
/// The text forms are kept per connection, so keep-alive requests do not format them again.</summary>
public static class ClientAddress
{
    private static readonly object AddressKey = new();
    private static readonly object PortKey = new();

    public static IPAddress? IpOf(HttpContext context)
    {
        var ip = context.Connection.RemoteIpAddress;
        return ip is { IsIPv4MappedToIPv6: true } ? ip.MapToIPv4() : ip;
    }

    public static string Of(HttpContext context) =>
        PerConnection(context, AddressKey, static c => IpOf(c)?.ToString() ?? "unix:");

    /// <summary>nginx's <c>$server_port</c>: the port of the listener the request came in on.</summary>
    public static string LocalPortOf(HttpContext context) =>
        PerConnection(context, PortKey, static c => c.Connection.LocalPort.ToString(CultureInfo.InvariantCulture));

    private static string PerConnection(HttpContext context, object key, Func<HttpContext, string> compute)
    {
        var items = context.Features.Get<IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(key, out var cached) && cached is string text) return text;
        text = compute(context);
        if (items is not null) items[key] = text;
        return text;
    }
}
