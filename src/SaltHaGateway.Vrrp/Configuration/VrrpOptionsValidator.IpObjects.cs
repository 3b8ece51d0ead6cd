using System.Net.Sockets;

namespace SaltHaGateway.Vrrp.Configuration;

/// <summary>Addresses, routes and rules: virtual_ipaddress options, virtual_ipaddress_excluded, virtual_routes/rules, static_*.</summary>
public static partial class VrrpOptionsValidator
{
    private const int MaxObjects = 1000;

    private static VirtualIpObjects ValidateIpObjects(VrrpInstanceOptions o, string p, List<string> errors, AddressFamily family)
    {
        var vips = Addresses(o.VirtualAddresses, $"{p}:VirtualAddresses", errors, family);
        var excluded = Addresses(o.ExcludedAddresses, $"{p}:ExcludedAddresses", errors, null);
        var routes = Routes(o.VirtualRoutes, $"{p}:VirtualRoutes", errors);
        var rules = Rules(o.VirtualRules, $"{p}:VirtualRules", errors);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < vips.Count + excluded.Count; i++)
        {
            var a = i < vips.Count ? vips[i] : excluded[i - vips.Count];
            string where = i < vips.Count ? $"VirtualAddresses:{i}" : $"ExcludedAddresses:{i - vips.Count}";
            string key = a.Address.Address + "@" + (a.Device ?? o.Interface);
            if (seen.TryGetValue(key, out var first)) errors.Add($"{p}:{where}: {a.Address.Address} on {a.Device ?? o.Interface} is already listed at {first}");
            else seen[key] = where;
        }
        return new VirtualIpObjects(vips, excluded, routes, rules);
    }

    /// <summary>The static_ipaddress/static_routes/static_rules of the section (call after a successful validation).</summary>
    public static VirtualIpObjects StaticObjects(VrrpOptions options, List<string> errors, string root = "Vrrp") =>
        new(Addresses(options.StaticAddresses, $"{root}:StaticAddresses", errors, null, deviceRequired: true),
            [],
            Routes(options.StaticRoutes, $"{root}:StaticRoutes", errors),
            Rules(options.StaticRules, $"{root}:StaticRules", errors));

    /// <param name="family">The family every entry must have (an instance's VIPs), or null for either.</param>
    private static List<AddressSpec> Addresses(List<string> lines, string p, List<string> errors, AddressFamily? family, bool deviceRequired = false)
    {
        var result = new List<AddressSpec>();
        if (lines.Count > MaxObjects) errors.Add($"{p}: at most {MaxObjects} entries");
        for (int i = 0; i < lines.Count; i++)
        {
            if (!IpSpecParser.TryParseAddress(lines[i] ?? "", out var spec, out var error))
                errors.Add($"{p}:{i}: '{lines[i]}': {error}");
            else if (family is { } f && spec!.Address.Address.AddressFamily != f)
                errors.Add($"{p}:{i}: '{lines[i]}' is {Name(spec.Address.Address.AddressFamily)} but the instance's first address is {Name(f)}: one advert carries one family "
                    + "(keepalived ignores such an address); give it its own instance, or put it under ExcludedAddresses, which takes either family");
            else if (deviceRequired && spec!.Device is null)
                errors.Add($"{p}:{i}: '{lines[i]}': give 'dev INTERFACE' (a static address belongs to no instance)");
            else result.Add(spec!);
        }
        return result;
    }

    private static string Name(AddressFamily family) => family == AddressFamily.InterNetworkV6 ? "IPv6" : "IPv4";

    private static List<RouteSpec> Routes(List<string> lines, string p, List<string> errors)
    {
        var result = new List<RouteSpec>();
        if (lines.Count > MaxObjects) errors.Add($"{p}: at most {MaxObjects} entries");
        for (int i = 0; i < lines.Count; i++)
        {
            if (IpSpecParser.TryParseRoute(lines[i] ?? "", out var spec, out var error)) result.Add(spec!);
            else errors.Add($"{p}:{i}: '{lines[i]}': {error}");
        }
        return result;
    }

    private static List<RuleSpec> Rules(List<string> lines, string p, List<string> errors)
    {
        var result = new List<RuleSpec>();
        if (lines.Count > MaxObjects) errors.Add($"{p}: at most {MaxObjects} entries");
        for (int i = 0; i < lines.Count; i++)
        {
            if (IpSpecParser.TryParseRule(lines[i] ?? "", out var spec, out var error)) result.Add(spec!);
            else errors.Add($"{p}:{i}: '{lines[i]}': {error}");
        }
        return result;
    }

    private static void ValidateVmac(VrrpInstanceOptions o, string p, List<string> errors)
    {
        if (!o.UseVmac)
        {
            if (o.VmacInterface is not null || o.VmacTransmitOnBase) errors.Add($"{p}:{(o.VmacInterface is not null ? "VmacInterface" : "VmacTransmitOnBase")}: only with UseVmac");
            return;
        }
        string name = o.VmacInterface ?? $"vrrp.{o.VirtualRouterId}";
        if (name.Length is 0 or > 15 || name.Any(c => char.IsWhiteSpace(c) || c is '/' or ':'))
            errors.Add($"{p}:VmacInterface: '{name}' is not a valid interface name (1..15 characters)");
        if (name == o.Interface) errors.Add($"{p}:VmacInterface: must differ from Interface");
        if (o.UnicastPeers.Count > 0 && !o.VmacTransmitOnBase)
            errors.Add($"{p}:VmacTransmitOnBase: unicast peers with UseVmac need VmacTransmitOnBase (as keepalived requires vmac_xmit_base)");
    }

    /// <summary>The virtual router MAC of RFC 5798: 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6.</summary>
    private static VmacDefinition? Vmac(VrrpInstanceOptions o) => o.UseVmac
        ? new VmacDefinition(o.VmacInterface ?? $"vrrp.{o.VirtualRouterId}",
            [0x00, 0x00, 0x5e, 0x00, InstanceFamily(o) == AddressFamily.InterNetworkV6 ? (byte)0x02 : (byte)0x01, (byte)o.VirtualRouterId], o.VmacTransmitOnBase)
        : null;

    /// <summary>
    /// As keepalived does, an address or route on another interface than the instance's makes the instance track
    /// that interface (fault while it is down), unless the entry says no_track.
    /// </summary>
    private static void AddImplicitTracks(VirtualIpObjects objects, string instanceInterface, List<TrackDefinition> track)
    {
        var devices = objects.Addresses.Concat(objects.Excluded).Where(a => !a.NoTrack).Select(a => a.Device)
            .Concat(objects.Routes.Where(r => !r.NoTrack).Select(r => r.Device))
            .OfType<string>()
            .Where(d => d != instanceInterface)
            .Distinct(StringComparer.Ordinal);
        foreach (var device in devices)
        {
            if (!track.Any(t => t.Kind == TrackKind.Interface && t.Target == device))
            {
                track.Add(new TrackDefinition(TrackKind.Interface, device, 0));
            }
        }
    }
}
