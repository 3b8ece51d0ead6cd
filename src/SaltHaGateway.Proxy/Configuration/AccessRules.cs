using System.Net;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// nginx's <c>allow</c>/<c>deny</c> list: rules are checked in order and the first match decides; a client that
/// matches no rule is allowed. Written as <c>"allow 10.0.0.0/8; allow 127.0.0.1; deny all"</c>.
/// </summary>
public sealed class AccessRules
{
    private readonly (bool Allow, IPNetwork? Network)[] _rules;

    private AccessRules((bool, IPNetwork?)[] rules, string text)
    {
        _rules = rules;
        Text = text;
    }

    public string Text { get; }

    public static bool TryParse(string text, out AccessRules? rules, out string? error)
    {
        var parsed = new List<(bool, IPNetwork?)>();
        foreach (var raw in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var parts = raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2 || (parts[0] != "allow" && parts[0] != "deny"))
            {
                rules = null; error = $"\"{raw}\" is not \"allow ADDRESS\" or \"deny ADDRESS\""; return false;
            }
            IPNetwork? network = null;
            if (parts[1] != "all")
            {
                var addressPart = parts[1].Split('/')[0];
                if (!addressPart.Contains(':') && addressPart.Count(c => c == '.') != 3)
                {
                    rules = null; error = $"invalid address \"{parts[1]}\" in \"{raw}\""; return false;
                }
                if (IPAddress.TryParse(parts[1], out var ip))
                    network = new IPNetwork(ip, ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
                else if (IPNetwork.TryParse(parts[1], out var net))
                    network = net;
                else
                {
                    // nginx accepts a CIDR whose host bits are set (with a warning); IPNetwork does not, so mask it.
                    var slash = parts[1].IndexOf('/');
                    if (slash > 0 && IPAddress.TryParse(parts[1][..slash], out var baseIp)
                        && int.TryParse(parts[1][(slash + 1)..], out var len) && len >= 0
                        && len <= (baseIp.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128))
                        network = new IPNetwork(Mask(baseIp, len), len);
                    else { rules = null; error = $"invalid address \"{parts[1]}\" in \"{raw}\""; return false; }
                }
            }
            parsed.Add((parts[0] == "allow", network));
        }
        rules = new AccessRules(parsed.ToArray(), text);
        error = null;
        return true;
    }

    public bool IsAllowed(IPAddress? client)
    {
        foreach (var (allow, network) in _rules)
        {
            if (network is null) return allow;
            if (client is not null && network.Value.Contains(client)) return allow;
        }
        return true;
    }

    private static IPAddress Mask(IPAddress ip, int prefix)
    {
        var bytes = ip.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var bits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - bits));
        }
        return new IPAddress(bytes);
    }
}
