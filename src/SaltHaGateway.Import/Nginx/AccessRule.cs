using System.Net;
using System.Net.Sockets;

using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// One <c>allow</c>/<c>deny</c> rule (ngx_http_access_module): "all", an address, an address/prefix, or
/// "unix:". Rendered as "allow 10.0.0.0/8", the contract's Access syntax.
/// </summary>
internal static class AccessRule
{
    public static string? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d) || !diagnostics.RequireArgs(d, 1, 1))
        {
            return null;
        }

        var value = d.Args[0];
        if (value is "all" or "unix:")
        {
            return $"{d.Name} {value}";
        }

        var slash = value.IndexOf('/');
        var addressText = slash < 0 ? value : value[..slash];
        if (!TryAddress(addressText, out var address))
        {
            diagnostics.Error(d, $"invalid parameter \"{value}\"");
            return null;
        }

        var maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash >= 0)
        {
            if (!NginxNumber.TryParse(value[(slash + 1)..], out var prefix) || prefix > maxPrefix)
            {
                diagnostics.Error(d, $"invalid parameter \"{value}\"");
                return null;
            }

            if (HasHostBits(address, (int)prefix))
            {
                diagnostics.Warning(d, $"low address bits of {value} are meaningless");
            }
        }

        return $"{d.Name} {value}";
    }

    private static bool TryAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':'))
        {
            return IPAddress.TryParse(text, out address!) && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        return HostPort.IsIPv4(text) && IPAddress.TryParse(text, out address!);
    }

    private static bool HasHostBits(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var bit = prefix; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return true;
            }
        }

        return false;
    }
}
