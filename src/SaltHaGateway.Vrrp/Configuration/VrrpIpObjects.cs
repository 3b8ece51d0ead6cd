using System.Globalization;
using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Configuration;

/// <summary>
/// An address to add and remove (virtual_ipaddress, virtual_ipaddress_excluded, static_ipaddress), written as in
/// keepalived: "ADDR[/LEN] [dev IF] [label IF:N] [scope S] [brd ADDR] [no_track] [-nodad]". A null device means
/// the instance's interface. <paramref name="KeepDad"/> is keepalived's "-nodad" option, which despite its name turns
/// Duplicate Address Detection back on: keepalived adds IPv6 addresses with IFA_F_NODAD unless it is given.
/// </summary>
public sealed record AddressSpec(VirtualAddress Address, string? Device, string? Label, byte Scope, IPAddress? Broadcast, bool NoTrack, bool KeepDad)
{
    public override string ToString() => Address + (Device is null ? "" : " dev " + Device) + (Label is null ? "" : " label " + Label)
        + (Scope == 0 ? "" : " scope " + IpSpecParser.ScopeName(Scope)) + (Broadcast is null ? "" : " brd " + Broadcast)
        + (NoTrack ? " no_track" : "") + (KeepDad ? " -nodad" : "")
        + (PreferredLifetime is { } p ? " preferred_lft " + (p == uint.MaxValue ? "forever" : p.ToString(CultureInfo.InvariantCulture)) : "");

    /// <summary>keepalived's preferred_lft (IPv6 only): seconds, <see cref="uint.MaxValue"/> for forever; null for its default.</summary>
    public uint? PreferredLifetime { get; init; }

    /// <summary>keepalived: an IPv6 address skips DAD (it is immediately usable and never left "dadfailed" after a split).</summary>
    public bool SkipsDad => Address.Address.AddressFamily == AddressFamily.InterNetworkV6 && !KeepDad;

    /// <summary>
    /// The preferred lifetime to give the kernel, or null for "forever" (the kernel's default). keepalived marks an IPv6
    /// /128 deprecated (0) unless preferred_lft says otherwise, so that it is not picked as a source address.
    /// </summary>
    public uint? EffectivePreferredLifetime => Address.Address.AddressFamily != AddressFamily.InterNetworkV6 ? null
        : PreferredLifetime is { } p ? (p == uint.MaxValue ? null : p)
        : Address.PrefixLength == 128 ? 0 : null;

    public bool Deprecated => EffectivePreferredLifetime == 0;
}

public enum RouteKind : byte
{
    Unicast = 1,
    Blackhole = 6,
    Unreachable = 7,
    Prohibit = 8,
}

/// <summary>
/// A route (virtual_routes, static_routes): "[src ADDR] [to] DEST[/LEN] [via|gw ADDR] [dev IF] [scope S] [table N]
/// [metric|priority|preference N] [protocol N] [onlink] [no_track]", or "blackhole|unreachable|prohibit DEST".
/// </summary>
public sealed record RouteSpec(RouteKind Kind, VirtualAddress Destination, IPAddress? Gateway, string? Device, IPAddress? Source,
    uint Table, uint? Metric, byte Protocol, byte? Scope, bool OnLink, bool NoTrack)
{
    public AddressFamily Family => Destination.Address.AddressFamily;

    /// <summary>A multipath route's next hops ("nexthop via A dev X weight N …", or keepalived's older "via A or B").</summary>
    public IReadOnlyList<NextHop> NextHops { get; init; } = [];

    public override string ToString() => (Kind == RouteKind.Unicast ? "" : Kind.ToString().ToLowerInvariant() + " ") + Destination
        + (Gateway is null ? "" : " via " + Gateway) + (Device is null ? "" : " dev " + Device) + (Source is null ? "" : " src " + Source)
        + (Table == IpSpecParser.MainTable ? "" : " table " + Table.ToString(CultureInfo.InvariantCulture))
        + (Metric is { } m ? " metric " + m.ToString(CultureInfo.InvariantCulture) : "") + (NoTrack ? " no_track" : "")
        + string.Concat(NextHops.Select(h => " " + h));
}

/// <summary>One next hop of a multipath route: gateway and/or device, weight 1..256 (null: the kernel's 1), onlink.</summary>
public sealed record NextHop(IPAddress? Gateway, string? Device, int? Weight, bool OnLink)
{
    public override string ToString() => "nexthop" + (Gateway is null ? "" : " via " + Gateway) + (Device is null ? "" : " dev " + Device)
        + (Weight is { } w ? " weight " + w.ToString(CultureInfo.InvariantCulture) : "") + (OnLink ? " onlink" : "");
}

/// <summary>A policy rule (virtual_rules, static_rules): "[from P] [to P] [iif IF] [oif IF] [fwmark N[/M]] [priority N] table N [no_track]".</summary>
public sealed record RuleSpec(AddressFamily Family, VirtualAddress? From, VirtualAddress? To, string? InputInterface, string? OutputInterface,
    uint? FirewallMark, uint? FirewallMask, uint? Priority, uint Table, bool NoTrack)
{
    public override string ToString() => string.Join(' ', new[]
    {
        From is { } f ? "from " + f : null,
        To is { } t ? "to " + t : null,
        InputInterface is null ? null : "iif " + InputInterface,
        OutputInterface is null ? null : "oif " + OutputInterface,
        FirewallMark is { } m ? "fwmark " + m.ToString(CultureInfo.InvariantCulture) + (FirewallMask is { } k ? "/" + k.ToString(CultureInfo.InvariantCulture) : "") : null,
        Priority is { } p ? "priority " + p.ToString(CultureInfo.InvariantCulture) : null,
        "table " + Table.ToString(CultureInfo.InvariantCulture),
        NoTrack ? "no_track" : null,
    }.Where(s => s is not null));
}

/// <summary>The addresses, routes and rules an instance adds on becoming master and removes on leaving it.</summary>
public sealed record VirtualIpObjects(
    IReadOnlyList<AddressSpec> Addresses,
    IReadOnlyList<AddressSpec> Excluded,
    IReadOnlyList<RouteSpec> Routes,
    IReadOnlyList<RuleSpec> Rules)
{
    public static readonly VirtualIpObjects Empty = new([], [], [], []);
}

/// <summary>Parses keepalived's address, route and rule lines; every error names the word it did not understand.</summary>
public static class IpSpecParser
{
    public const uint MainTable = 254;
    public const byte KeepalivedProtocol = 18;

    public static string ScopeName(byte scope) => scope switch
    {
        0 => "global",
        200 => "site",
        253 => "link",
        254 => "host",
        255 => "nowhere",
        _ => scope.ToString(CultureInfo.InvariantCulture),
    };

    private static bool TryScope(string text, out byte scope)
    {
        scope = text switch { "global" or "universe" => 0, "site" => 200, "link" => 253, "host" => 254, "nowhere" => 255, _ => 0 };
        return text is "global" or "universe" or "site" or "link" or "host" or "nowhere"
            || byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out scope);
    }

    /// <summary>An address with optional prefix in either family (host prefix by default).</summary>
    public static bool TryPrefix(string text, out VirtualAddress value)
    {
        value = default;
        var parts = text.Split('/');
        if (parts.Length > 2 || !IPAddress.TryParse(parts[0], out var ip) || ip.AddressFamily is not (AddressFamily.InterNetwork or AddressFamily.InterNetworkV6)
            || parts[0].Contains('%', StringComparison.Ordinal))
        {
            return false;
        }
        int max = ip.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = max;
        if (parts.Length == 2 && (!int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > max))
        {
            return false;
        }
        value = new VirtualAddress(ip, prefix);
        return true;
    }

    private static bool ValidInterfaceName(string name) =>
        name.Length is > 0 and < 16 && !name.Any(c => char.IsWhiteSpace(c) || c is '/' or ':' or '\0') && name is not ("." or "..");

    private static string? Next(string[] w, ref int i, string keyword, out string? error)
    {
        error = null;
        if (i + 1 >= w.Length)
        {
            error = $"'{keyword}' needs a value";
            return null;
        }
        return w[++i];
    }

    public static bool TryParseAddress(string text, out AddressSpec? spec, out string error)
    {
        spec = null;
        var w = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (w.Length == 0)
        {
            error = "empty";
            return false;
        }
        if (!TryPrefix(w[0], out var address) || address.PrefixLength == 0)
        {
            error = $"'{w[0]}' is not an address[/prefix]";
            return false;
        }
        string? dev = null, label = null;
        byte scope = 0;
        IPAddress? brd = null;
        bool noTrack = false, keepDad = false;
        uint? preferred = null;
        for (int i = 1; i < w.Length; i++)
        {
            string k = w[i];
            string? v;
            switch (k)
            {
                case "dev":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!ValidInterfaceName(v)) { error = $"'{v}' is not an interface name"; return false; }
                    dev = v;
                    break;
                case "label":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (v.Length is 0 or > 15) { error = $"label '{v}' must be 1..15 characters (like eth0:1)"; return false; }
                    label = v;
                    break;
                case "scope":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryScope(v, out scope)) { error = $"scope '{v}' is not global, site, link, host or nowhere"; return false; }
                    break;
                case "brd" or "broadcast":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!IPAddress.TryParse(v, out brd) || brd.AddressFamily != AddressFamily.InterNetwork || address.Address.AddressFamily != AddressFamily.InterNetwork)
                    {
                        error = $"brd '{v}' must be an IPv4 address on an IPv4 address";
                        return false;
                    }
                    break;
                case "no_track":
                    noTrack = true;
                    break;
                case "-nodad" or "nodad":
                    keepDad = true;
                    break;
                case "preferred_lft":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (v == "forever") preferred = uint.MaxValue;
                    else if (uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out uint seconds) && seconds != uint.MaxValue) preferred = seconds;
                    else { error = $"preferred_lft '{v}' is not a number of seconds or 'forever'"; return false; }
                    if (address.Address.AddressFamily != AddressFamily.InterNetworkV6) { error = "preferred_lft applies to IPv6 addresses only"; return false; }
                    break;
                default:
                    error = $"option '{k}' is not supported (supported: dev, label, scope, brd, no_track, -nodad, preferred_lft)";
                    return false;
            }
        }
        if (label is not null && address.Address.AddressFamily != AddressFamily.InterNetwork)
        {
            error = "label applies to IPv4 addresses only";
            return false;
        }
        spec = new AddressSpec(address, dev, label, scope, brd, noTrack, keepDad) { PreferredLifetime = preferred };
        error = "";
        return true;
    }

    public static bool TryParseRoute(string text, out RouteSpec? spec, out string error)
    {
        spec = null;
        var w = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var kind = RouteKind.Unicast;
        VirtualAddress? dest = null;
        IPAddress? gateway = null, source = null;
        string? dev = null;
        uint table = MainTable;
        uint? metric = null;
        byte protocol = KeepalivedProtocol;
        byte? scope = null;
        bool onLink = false, noTrack = false, inet6 = false;
        var nextHops = new List<NextHop>();
        for (int i = 0; i < w.Length; i++)
        {
            string k = w[i];
            string? v;
            switch (k)
            {
                case "or":
                    // keepalived's older form of a two-way multipath route: "via A or B" (it logs that it is deprecated).
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (nextHops.Count > 0) { error = "only one 'or' per route (use nexthop for more)"; return false; }
                    if (gateway is null) { error = "'or' needs a 'via' before it"; return false; }
                    if (!IPAddress.TryParse(v, out var alternative)) { error = $"'or' gateway '{v}' is not an address"; return false; }
                    nextHops.Add(new NextHop(gateway, null, null, false));
                    nextHops.Add(new NextHop(alternative, null, null, false));
                    gateway = null;
                    break;
                case "nexthop":
                    // As in keepalived and ip-route(8), the next hops end the line.
                    if (nextHops.Count > 0) { error = "nexthop cannot be combined with 'or'"; return false; }
                    if (!TryNextHops(w, i, nextHops, out error)) return false;
                    i = w.Length;
                    break;
                case "blackhole" or "unreachable" or "prohibit" when dest is null && kind == RouteKind.Unicast:
                    kind = k switch { "blackhole" => RouteKind.Blackhole, "unreachable" => RouteKind.Unreachable, _ => RouteKind.Prohibit };
                    break;
                case "to":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryDestination(v, out var d)) { error = $"'{v}' is not a destination prefix"; return false; }
                    dest = d;
                    break;
                case "src":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!IPAddress.TryParse(v, out source)) { error = $"src '{v}' is not an address"; return false; }
                    break;
                case "via" or "gw":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (v is "inet" or "inet6") { error = "'via inet/inet6' is not supported"; return false; }
                    if (!IPAddress.TryParse(v, out gateway)) { error = $"gateway '{v}' is not an address"; return false; }
                    break;
                case "dev" or "oif":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!ValidInterfaceName(v)) { error = $"'{v}' is not an interface name"; return false; }
                    dev = v;
                    break;
                case "table":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryTable(v, out table)) { error = $"table '{v}' is not a number, main, local or default"; return false; }
                    break;
                case "metric" or "priority" or "preference":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out uint m)) { error = $"{k} '{v}' is not a number"; return false; }
                    metric = m;
                    break;
                case "protocol" or "proto":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryProtocol(v, out protocol)) { error = $"protocol '{v}' is not a number 0..255 or a known name"; return false; }
                    break;
                case "scope":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryScope(v, out byte s)) { error = $"scope '{v}' is not global, site, link, host or nowhere"; return false; }
                    scope = s;
                    break;
                case "onlink":
                    onLink = true;
                    break;
                case "no_track":
                    noTrack = true;
                    break;
                case "inet6":
                    inet6 = true;
                    break;
                default:
                    if (dest is null && TryDestination(k, out var bare))
                    {
                        dest = bare;
                        break;
                    }
                    error = $"'{k}' is not supported here (supported: src, to, via/gw, or, dev, table, metric, protocol, scope, onlink, no_track, nexthop, blackhole/unreachable/prohibit)";
                    return false;
            }
        }
        if (dest is not { } destination)
        {
            error = "no destination prefix";
            return false;
        }
        var family = destination.Address.AddressFamily;
        if (inet6 && family != AddressFamily.InterNetworkV6) { error = "inet6 with an IPv4 destination"; return false; }
        if (gateway is not null && gateway.AddressFamily != family) { error = "gateway and destination are of different address families"; return false; }
        if (source is not null && source.AddressFamily != family) { error = "src and destination are of different address families"; return false; }
        if (kind != RouteKind.Unicast && (gateway is not null || dev is not null || nextHops.Count > 0)) { error = $"a {kind.ToString().ToLowerInvariant()} route takes no gateway or device"; return false; }
        if (kind == RouteKind.Unicast && gateway is null && dev is null && nextHops.Count == 0) { error = "a route needs 'via ADDRESS', 'dev INTERFACE' or next hops"; return false; }
        if (nextHops.Any(h => h.Gateway is not null && h.Gateway.AddressFamily != family)) { error = "a next hop and the destination are of different address families"; return false; }
        if (nextHops.Count > 0 && gateway is not null) { error = "'via' and 'nexthop' cannot be combined; give each path as a nexthop"; return false; }
        spec = new RouteSpec(kind, Network(destination), gateway, dev, source, table, metric, protocol, scope, onLink, noTrack) { NextHops = nextHops };
        error = "";
        return true;
    }

    /// <summary>"nexthop [via A] [dev X] [weight 1..256] [onlink]" repeated from <paramref name="start"/> to the end.</summary>
    private static bool TryNextHops(string[] w, int start, List<NextHop> hops, out string error)
    {
        int i = start;
        while (i < w.Length)
        {
            if (w[i] != "nexthop") { error = $"'{w[i]}' is not supported in a nexthop (supported: via/gw, dev, weight, onlink)"; return false; }
            IPAddress? via = null;
            string? dev = null;
            int? weight = null;
            bool onLink = false;
            for (i++; i < w.Length && w[i] != "nexthop"; i++)
            {
                string k = w[i];
                string? v;
                switch (k)
                {
                    case "via" or "gw":
                        if ((v = Next(w, ref i, k, out error!)) is null) return false;
                        if (!IPAddress.TryParse(v, out via)) { error = $"nexthop gateway '{v}' is not an address"; return false; }
                        break;
                    case "dev":
                        if ((v = Next(w, ref i, k, out error!)) is null) return false;
                        if (!ValidInterfaceName(v)) { error = $"'{v}' is not an interface name"; return false; }
                        dev = v;
                        break;
                    case "weight":
                        if ((v = Next(w, ref i, k, out error!)) is null) return false;
                        if (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out int n) || n is < 1 or > 256) { error = $"nexthop weight '{v}' is not 1..256"; return false; }
                        weight = n;
                        break;
                    case "onlink":
                        onLink = true;
                        break;
                    default:
                        error = $"'{k}' is not supported in a nexthop (supported: via/gw, dev, weight, onlink)";
                        return false;
                }
            }
            if (via is null && dev is null) { error = "a nexthop needs 'via ADDRESS' or 'dev INTERFACE'"; return false; }
            hops.Add(new NextHop(via, dev, weight, onLink));
        }
        error = "";
        return true;
    }

    public static bool TryParseRule(string text, out RuleSpec? spec, out string error)
    {
        spec = null;
        var w = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        VirtualAddress? from = null, to = null;
        string? iif = null, oif = null;
        uint? mark = null, mask = null, priority = null, table = null;
        bool noTrack = false, inet6 = false;
        for (int i = 0; i < w.Length; i++)
        {
            string k = w[i];
            string? v;
            switch (k)
            {
                case "from" or "to":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryDestination(v, out var p)) { error = $"{k} '{v}' is not a prefix"; return false; }
                    if (k == "from") from = Network(p); else to = Network(p);
                    break;
                case "iif" or "dev" or "oif":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!ValidInterfaceName(v)) { error = $"'{v}' is not an interface name"; return false; }
                    if (k == "oif") oif = v; else iif = v;
                    break;
                case "fwmark":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    var parts = v.Split('/');
                    if (parts.Length > 2 || !TryUInt(parts[0], out uint mk) || (parts.Length == 2 && !TryUInt(parts[1], out _)))
                    {
                        error = $"fwmark '{v}' is not N or N/MASK";
                        return false;
                    }
                    mark = mk;
                    if (parts.Length == 2 && TryUInt(parts[1], out uint mm)) mask = mm;
                    break;
                case "priority" or "preference" or "pref":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!uint.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out uint pr)) { error = $"{k} '{v}' is not a number"; return false; }
                    priority = pr;
                    break;
                case "table" or "lookup":
                    if ((v = Next(w, ref i, k, out error!)) is null) return false;
                    if (!TryTable(v, out uint t)) { error = $"table '{v}' is not a number, main, local or default"; return false; }
                    table = t;
                    break;
                case "no_track":
                    noTrack = true;
                    break;
                case "inet6":
                    inet6 = true;
                    break;
                default:
                    error = $"'{k}' is not supported here (supported: from, to, iif, oif, fwmark, priority, table, no_track, inet6)";
                    return false;
            }
        }
        if (table is null)
        {
            error = "a rule needs 'table N' (other actions are not supported)";
            return false;
        }
        var families = new[] { from, to }.Where(p => p is not null).Select(p => p!.Value.Address.AddressFamily).Distinct().ToArray();
        if (families.Length > 1) { error = "from and to are of different address families"; return false; }
        var family = families.Length == 1 ? families[0] : inet6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        if (inet6 && family != AddressFamily.InterNetworkV6) { error = "inet6 with IPv4 prefixes"; return false; }
        spec = new RuleSpec(family, from, to, iif, oif, mark, mask, priority, table.Value, noTrack);
        error = "";
        return true;
    }

    private static bool TryUInt(string text, out uint value) =>
        text.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? uint.TryParse(text.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);

    private static bool TryDestination(string text, out VirtualAddress value)
    {
        if (text == "default")
        {
            value = new VirtualAddress(IPAddress.Any, 0);
            return true;
        }
        return TryPrefix(text, out value);
    }

    private static bool TryTable(string text, out uint table)
    {
        table = text switch { "main" => MainTable, "local" => 255, "default" => 253, _ => 0 };
        return text is "main" or "local" or "default"
            || (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out table) && table is > 0);
    }

    private static bool TryProtocol(string text, out byte protocol)
    {
        protocol = text switch { "kernel" => 2, "boot" => 3, "static" => 4, "keepalived" => KeepalivedProtocol, "bird" => 12, "zebra" => 11, _ => 0 };
        return text is "kernel" or "boot" or "static" or "keepalived" or "bird" or "zebra"
            || byte.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out protocol);
    }

    /// <summary>The kernel refuses a prefix with host bits set; "10.1.2.3/24" means 10.1.2.0/24, as ip route reads it.</summary>
    private static VirtualAddress Network(VirtualAddress prefix)
    {
        var bytes = prefix.Address.GetAddressBytes();
        for (int bit = prefix.PrefixLength; bit < bytes.Length * 8; bit++)
        {
            bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
        }
        return new VirtualAddress(new IPAddress(bytes), prefix.PrefixLength);
    }
}
