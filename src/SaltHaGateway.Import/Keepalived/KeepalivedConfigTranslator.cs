using System.Globalization;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Keepalived;

/// <summary>
/// Maps keepalived's vrrp_instance / vrrp_script blocks onto <see cref="VrrpOptions"/>. Everything it cannot
/// express is reported with its keyword and line instead of being dropped silently.
/// </summary>
public static class KeepalivedConfigTranslator
{
    public static VrrpOptions Translate(IReadOnlyList<KeepalivedConfigNode> root, List<string> notTranslated)
    {
        var options = new VrrpOptions();
        int defaultVersion = 2;
        var globals = new List<KeepalivedConfigNode>();
        var garpGroups = new List<KeepalivedConfigNode>();
        foreach (var g in root.Where(n => n.Keyword == "global_defs"))
        {
            foreach (var item in g.Children ?? [])
            {
                if (item.Keyword == "vrrp_version" && int.TryParse(item.Arg(0), out int v)) defaultVersion = v;
                else if (!KeepalivedGlobalTranslator.Apply(item, options.Global, globals, notTranslated))
                    Report(notTranslated, item, "global_defs", KeepalivedGlobalTranslator.WhyNot(item.Keyword));
            }
        }
        foreach (var node in root)
        {
            switch (node.Keyword)
            {
                case "global_defs":
                    break;
                case "static_ipaddress":
                    IpLines(node, "static_ipaddress", notTranslated, options.StaticAddresses, Kind.Address);
                    break;
                case "static_routes":
                    IpLines(node, "static_routes", notTranslated, options.StaticRoutes, Kind.Route);
                    break;
                case "static_rules":
                    IpLines(node, "static_rules", notTranslated, options.StaticRules, Kind.Rule);
                    break;
                case "vrrp_script":
                    options.Scripts[node.Arg(0)] = Script(node, notTranslated);
                    break;
                case "vrrp_instance":
                    options.Instances[node.Arg(0)] = Instance(node, defaultVersion, notTranslated, globals);
                    break;
                case "garp_group":
                    garpGroups.Add(node);
                    break;
                case "vrrp_sync_group":
                    options.SyncGroups[node.Arg(0)] = KeepalivedTrackingTranslator.SyncGroup(node, notTranslated);
                    break;
                case "track_file" or "vrrp_track_file":
                    options.TrackFiles[node.Arg(0)] = KeepalivedTrackingTranslator.TrackFile(node, notTranslated);
                    break;
                case "vrrp_track_process":
                    options.TrackProcesses[node.Arg(0)] = KeepalivedTrackingTranslator.TrackProcess(node, notTranslated);
                    break;
                case "virtual_server" or "virtual_server_group":
                    Report(notTranslated, node, null, "LVS load balancing is out of scope (the gateway's proxy replaces it)");
                    break;
                default:
                    Report(notTranslated, node, null, node.Keyword == "include" ? "includes are not followed; import each file" : "not supported");
                    break;
            }
        }
        KeepalivedTrackingTranslator.ApplySyncGroupRules(options, notTranslated);
        foreach (var group in garpGroups)
        {
            KeepalivedGlobalTranslator.ApplyGarpGroup(group, options, notTranslated);
        }
        return options;
    }

    private static VrrpScriptOptions Script(KeepalivedConfigNode node, List<string> issues)
    {
        var s = new VrrpScriptOptions();
        string where = "vrrp_script " + node.Arg(0);
        foreach (var item in node.Children ?? [])
        {
            switch (item.Keyword)
            {
                case "script": s.Command = string.Join(' ', item.Args); break;
                case "interval": s.IntervalSeconds = Number(item, issues, where, s.IntervalSeconds); break;
                case "timeout": s.TimeoutSeconds = Number(item, issues, where, 0); break;
                case "rise": s.Rise = (int)Number(item, issues, where, s.Rise); break;
                case "fall": s.Fall = (int)Number(item, issues, where, s.Fall); break;
                case "init_fail": s.InitFail = true; break;
                case "weight":
                    s.Weight = (int)Number(item, issues, where, 0);
                    if (item.Args.Count > 1) Report(issues, item, where, $"'{item.Arg(1)}' is not supported");
                    break;
                default: Report(issues, item, where, "not supported"); break;
            }
        }
        return s;
    }

    private static VrrpInstanceOptions Instance(KeepalivedConfigNode node, int defaultVersion, List<string> issues, IReadOnlyList<KeepalivedConfigNode>? globals = null)
    {
        var o = new VrrpInstanceOptions();
        KeepalivedGlobalTranslator.ApplyInstanceDefaults(globals ?? [], o, issues);
        string where = "vrrp_instance " + node.Arg(0);
        bool stateMaster = false, priorityGiven = false;
        KeepalivedConfigNode? versionGiven = null;
        foreach (var item in node.Children ?? [])
        {
            switch (item.Keyword)
            {
                case "state": stateMaster = item.Arg(0).Equals("MASTER", StringComparison.OrdinalIgnoreCase); break;
                case "interface": o.Interface = item.Arg(0); break;
                case "virtual_router_id": o.VirtualRouterId = (int)Number(item, issues, where, 0); break;
                case "priority": o.Priority = (int)Number(item, issues, where, 100); priorityGiven = true; break;
                case "advert_int": o.AdvertIntervalSeconds = Number(item, issues, where, 1); break;
                case "version": o.Version = (int)Number(item, issues, where, defaultVersion); versionGiven = item; break;
                case "native_ipv6": break;   // the instance is IPv6 anyway when its VIPs are (it only matters to keepalived's vmac)
                case "nopreempt": o.Preempt = false; break;
                case "dont_track_primary": o.TrackInterface = false; break;
                case "higher_prio_send_advert": o.HigherPrioritySendAdvert = true; break;
                case "preempt": o.Preempt = true; break;
                case "preempt_delay": o.PreemptDelaySeconds = Number(item, issues, where, 0); break;
                case "down_timer_adverts": o.DownTimerAdverts = (int)Number(item, issues, where, 3); break;
                case "unicast_src_ip": o.UnicastSource = item.Arg(0); break;
                case "garp_master_delay": o.Garp.MasterDelaySeconds = Number(item, issues, where, 5); break;
                case "garp_master_repeat": o.Garp.MasterRepeat = (int)Number(item, issues, where, 5); break;
                case "garp_master_refresh": o.Garp.MasterRefreshSeconds = Number(item, issues, where, 0); break;
                case "garp_lower_prio_repeat": o.Garp.LowerPriorityRepeat = (int)Number(item, issues, where, 5); break;
                case "notify_master": o.Notify.Master = string.Join(' ', item.Args); break;
                case "notify_backup": o.Notify.Backup = string.Join(' ', item.Args); break;
                case "notify_fault": o.Notify.Fault = string.Join(' ', item.Args); break;
                case "notify_stop": o.Notify.Stop = string.Join(' ', item.Args); break;
                case "notify": o.Notify.Any = string.Join(' ', item.Args); break;
                case "authentication": Authentication(item, o, where, issues); break;
                case "unicast_peer":
                    foreach (var peer in item.Children ?? [])
                    {
                        o.UnicastPeers.Add(peer.Keyword);
                        if (peer.Args.Count > 0) Report(issues, peer, where + " unicast_peer", $"options '{string.Join(' ', peer.Args)}' are not supported");
                    }
                    break;
                case "virtual_ipaddress":
                    IpLines(item, where, issues, o.VirtualAddresses, Kind.Address);
                    // keepalived takes the instance's family from its first VIP and ignores VIPs of the other family.
                    bool v6 = IsIpv6(o.VirtualAddresses.FirstOrDefault());
                    foreach (var other in o.VirtualAddresses.Where(v => IsIpv6(v) != v6).ToList())
                    {
                        int line = (item.Children ?? []).FirstOrDefault(c => string.Join(' ', c.Args.Prepend(c.Keyword)) == other)?.Line ?? item.Line;
                        issues.Add($"{where}: virtual_ipaddress '{other}' (line {line}): its family differs from the instance's first VIP; "
                            + "keepalived ignores it too (\"address family must match VRRP instance\"); left out (give it its own instance, or list it under virtual_ipaddress_excluded)");
                        o.VirtualAddresses.Remove(other);
                    }
                    break;
                case "virtual_ipaddress_excluded":
                    IpLines(item, where, issues, o.ExcludedAddresses, Kind.Address);
                    break;
                case "virtual_routes":
                    IpLines(item, where, issues, o.VirtualRoutes, Kind.Route);
                    break;
                case "virtual_rules":
                    IpLines(item, where, issues, o.VirtualRules, Kind.Rule);
                    break;
                case "mcast_src_ip": o.MulticastSource = item.Arg(0); break;
                case "use_vmac":
                    o.UseVmac = true;
                    if (item.Args.Count > 0) o.VmacInterface = item.Arg(0);
                    if (item.Args.Count > 1) Report(issues, item, where, $"a MAC address other than the virtual router MAC (00:00:5e:00:01:VRID, 00:00:5e:00:02:VRID for IPv6) ('{item.Arg(1)}') is not supported");
                    break;
                case "vmac_xmit_base": o.VmacTransmitOnBase = true; break;
                case "track_script":
                    foreach (var t in item.Children ?? [])
                        o.Track.Add(KeepalivedTrackingTranslator.TrackRef(t, new VrrpTrackOptions { Script = t.Keyword }, issues, where));
                    break;
                case "track_interface":
                    foreach (var t in item.Children ?? [])
                    {
                        var track = KeepalivedTrackingTranslator.TrackRef(t, new VrrpTrackOptions { Interface = t.Keyword }, issues, where);
                        track.Weight ??= 0;
                        o.Track.Add(track);
                    }
                    break;
                case "track_file":
                    foreach (var t in item.Children ?? [])
                        o.Track.Add(KeepalivedTrackingTranslator.TrackRef(t, new VrrpTrackOptions { File = t.Keyword }, issues, where));
                    break;
                case "track_process":
                    foreach (var t in item.Children ?? [])
                        o.Track.Add(KeepalivedTrackingTranslator.TrackRef(t, new VrrpTrackOptions { Process = t.Keyword }, issues, where));
                    break;
                case "lower_prio_no_advert": o.LowerPriorityNoAdvert = KeepalivedGlobalTranslator.Bool(item); break;
                case "strict_mode": o.Strict = KeepalivedGlobalTranslator.Bool(item); break;
                case "garp_master_refresh_repeat": o.Garp.MasterRefreshRepeat = (int)Number(item, issues, where, 1); break;
                case "smtp_alert": Report(issues, item, where, "SMTP alerts are out of scope (use notify or the notify FIFO)"); break;
                default: Report(issues, item, where, "not supported"); break;
            }
        }
        // keepalived carries at most 20 VIPs in an advert and moves the rest to the excluded list.
        if (o.VirtualAddresses.Count > 20)
        {
            issues.Add($"{where}: virtual_ipaddress has {o.VirtualAddresses.Count} addresses; as keepalived does, the ones after the 20th are moved to ExcludedAddresses (not advertised)");
            o.ExcludedAddresses.InsertRange(0, o.VirtualAddresses.Skip(20));
            o.VirtualAddresses.RemoveRange(20, o.VirtualAddresses.Count - 20);
        }
        if (IsIpv6(o.VirtualAddresses.FirstOrDefault()))
        {
            // keepalived runs an IPv6 instance as VRRPv3 whatever vrrp_version says; the gateway refuses version 2 there.
            if (o.Version == 2 && versionGiven is not null)
                issues.Add($"{where}: version 2 (line {versionGiven.Line}): the instance's VIPs are IPv6, which is VRRPv3 only (keepalived refuses version 2 for an IPv6 instance); translated as 3");
            o.Version = 3;
        }
        else
        {
            o.Version ??= defaultVersion;
        }
        if (stateMaster && !priorityGiven)
        {
            o.Priority = 255;   // keepalived: state MASTER without priority means address owner
        }
        if (o.Version == 3 && o.Authentication is not null)
        {
            issues.Add($"{where}: authentication (line {node.Line}) is ignored by VRRPv3 and dropped");
            o.Authentication = null;
        }
        return o;
    }

    private enum Kind
    {
        Address,
        Route,
        Rule,
    }

    /// <summary>
    /// Address, route and rule lines keep keepalived's own syntax; a line the gateway cannot express is reported with
    /// its line number and left out (never half-translated).
    /// </summary>
    private static void IpLines(KeepalivedConfigNode block, string where, List<string> issues, List<string> target, Kind kind)
    {
        foreach (var entry in block.Children ?? [])
        {
            var words = new[] { entry.Keyword }.Concat(entry.Args).ToList();
            if (entry.Children is not null)
            {
                Report(issues, entry, where + " " + block.Keyword, "a nested block is not supported here");
                continue;
            }
            if (kind == Kind.Address && words[0].Contains(':', StringComparison.Ordinal))
            {
                // keepalived ignores label and scope on an IPv6 address ("Cannot specify ... for IPv6 addresses") and keeps it.
                foreach (var option in new[] { "label", "scope" })
                {
                    int at = words.IndexOf(option);
                    if (at > 0 && at + 1 < words.Count)
                    {
                        issues.Add($"{where}: {block.Keyword} '{string.Join(' ', words)}' (line {entry.Line}): {option} does not apply to an IPv6 address (keepalived ignores it too); dropped, the address kept");
                        words.RemoveRange(at, 2);
                    }
                }
            }
            string line = string.Join(' ', words);
            string error;
            bool ok = kind switch
            {
                Kind.Address => IpSpecParser.TryParseAddress(line, out _, out error),
                Kind.Route => IpSpecParser.TryParseRoute(line, out _, out error),
                _ => IpSpecParser.TryParseRule(line, out _, out error),
            };
            if (ok && kind == Kind.Address && target.FirstOrDefault(t => SameAddress(t, line)) is { } first)
            {
                // keepalived's own sample lists 192.168.200.18 twice (the second with a label); one address cannot be
                // added twice to an interface, so the first entry stands.
                issues.Add($"{where}: {block.Keyword} '{line}' (line {entry.Line}): the address is already listed as '{first}'; the first entry is kept");
                continue;
            }
            if (ok) target.Add(line);
            else issues.Add($"{where}: {block.Keyword} '{line}' (line {entry.Line}): {error}; left out");
        }
    }

    private static bool IsIpv6(string? addressLine) =>
        addressLine is not null && IpSpecParser.TryParseAddress(addressLine, out var spec, out _)
        && spec!.Address.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;

    private static bool SameAddress(string a, string b) =>
        IpSpecParser.TryParseAddress(a, out var x, out _) && IpSpecParser.TryParseAddress(b, out var y, out _)
        && x!.Address.Address.Equals(y!.Address.Address) && x.Device == y.Device;

    private static void Authentication(KeepalivedConfigNode node, VrrpInstanceOptions o, string where, List<string> issues)
    {
        var auth = new VrrpAuthenticationOptions();
        foreach (var item in node.Children ?? [])
        {
            if (item.Keyword == "auth_type")
            {
                auth.Type = item.Arg(0).ToUpperInvariant();
                if (auth.Type != "PASS") Report(issues, item, where, $"auth_type {item.Arg(0)} is not supported (only PASS)");
            }
            else if (item.Keyword == "auth_pass")
            {
                auth.Password = item.Arg(0).Length > 8 ? item.Arg(0)[..8] : item.Arg(0);
                if (item.Arg(0).Length > 8) issues.Add($"{where}: auth_pass (line {item.Line}) truncated to 8 characters, as keepalived sends it");
            }
            else Report(issues, item, where, "not supported");
        }
        o.Authentication = auth;
    }

    internal static double Number(KeepalivedConfigNode item, List<string> issues, string where, double fallback)
    {
        // "NaN", "Infinity" and "1e999" parse as doubles, but keepalived reads none of them as a number.
        if (double.TryParse(item.Arg(0), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v))
        {
            return v;
        }
        issues.Add($"{where}: {item.Keyword} (line {item.Line}): '{item.Arg(0)}' is not a number");
        return fallback;
    }

    internal static void Report(List<string> issues, KeepalivedConfigNode item, string? where, string why) =>
        issues.Add($"{(where is null ? "" : where + ": ")}{item.Keyword}{(item.Args.Count > 0 && where is null ? " " + item.Arg(0) : "")} (line {item.Line}): {why}");
}
