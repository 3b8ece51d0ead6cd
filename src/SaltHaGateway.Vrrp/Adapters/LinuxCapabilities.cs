using System.Globalization;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>Reads the effective capability set from /proc so start-up can say exactly which one is missing.</summary>
internal static class LinuxCapabilities
{
    public const int NetAdmin = 12;
    public const int NetRaw = 13;

    public static IReadOnlyList<string> Missing()
    {
        ulong effective;
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("CapEff:", StringComparison.Ordinal));
            if (line is null || !ulong.TryParse(line["CapEff:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out effective))
            {
                return [];
            }
        }
        catch (IOException)
        {
            return [];
        }
        var missing = new List<string>();
        if ((effective & (1UL << NetRaw)) == 0)
        {
            missing.Add("CAP_NET_RAW (raw VRRP socket, gratuitous ARP)");
        }
        if ((effective & (1UL << NetAdmin)) == 0)
        {
            missing.Add("CAP_NET_ADMIN (adding and removing virtual addresses)");
        }
        return missing;
    }
}
