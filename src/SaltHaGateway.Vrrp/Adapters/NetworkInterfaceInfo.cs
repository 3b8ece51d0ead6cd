using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>What the adapters need to know about an interface: index, MAC, first IPv4 address, link state.</summary>
internal sealed record NetworkInterfaceInfo(string Name, int Index, byte[] Mac, IPAddress? PrimaryAddress, bool IsUp)
{
    /// <summary>The interface's IPv6 link-local address (without scope id): the source of IPv6 adverts, as in keepalived.</summary>
    public IPAddress? LinkLocalAddress { get; init; }

    public static NetworkInterfaceInfo? Find(string name)
    {
        var nic = NetworkInterface.GetAllNetworkInterfaces().FirstOrDefault(n => n.Name == name);
        if (nic is null)
        {
            return null;
        }
        var props = nic.GetIPProperties();
        int index = IndexOf(name) ?? props.GetIPv4Properties()?.Index ?? 0;
        var primary = props.UnicastAddresses
            .Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork)
            .Select(a => a.Address)
            .FirstOrDefault();
        var linkLocal = props.UnicastAddresses
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetworkV6 && a.IsIPv6LinkLocal)
            .Select(a => new IPAddress(a.GetAddressBytes()))
            .FirstOrDefault();
        bool up = nic.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown;
        return new NetworkInterfaceInfo(name, index, nic.GetPhysicalAddress().GetAddressBytes(), primary, up) { LinkLocalAddress = linkLocal };
    }

    /// <summary>The kernel's index of an interface (sysfs), or null when there is no such interface.</summary>
    public static int? IndexOf(string name)
    {
        try
        {
            return int.TryParse(File.ReadAllText($"/sys/class/net/{name}/ifindex").Trim(), out int index) ? index : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Link state straight from sysfs (cheap enough to poll several times a second).</summary>
    public static bool IsLinkUp(string name)
    {
        try
        {
            var state = File.ReadAllText($"/sys/class/net/{name}/operstate").Trim();
            return state is "up" or "unknown";
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
