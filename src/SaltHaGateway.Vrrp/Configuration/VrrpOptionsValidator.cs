using System.Net;
using System.Net.Sockets;
using System.Text;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Configuration;

/// <summary>Turns bound options into validated definitions, collecting every error with its config key path.</summary>
public static partial class VrrpOptionsValidator
{
    public static IReadOnlyList<VrrpInstanceDefinition> Validate(VrrpOptions options, List<string> errors, string root = "Vrrp")
    {
        var result = new List<VrrpInstanceDefinition>();
        foreach (var (name, script) in options.Scripts)
        {
            string p = $"{root}:Scripts:{name}";
            if (string.IsNullOrWhiteSpace(script.Command)) errors.Add($"{p}:Command: required");
            if (script.IntervalSeconds is not (> 0 and <= 3600)) errors.Add($"{p}:IntervalSeconds: must be in (0, 3600]");
            if (script.TimeoutSeconds is { } timeout && timeout is not (> 0 and <= 3600)) errors.Add($"{p}:TimeoutSeconds: must be in (0, 3600]");
            if (script.Rise < 1) errors.Add($"{p}:Rise: must be at least 1");
            if (script.Fall < 1) errors.Add($"{p}:Fall: must be at least 1");
            if (script.Weight is < -253 or > 253) errors.Add($"{p}:Weight: must be in -253..253");
        }
        StaticObjects(options, errors, root);
        ValidateGlobal(options.Global, errors, root);
        ValidateTrackFiles(options, errors, root);
        ValidateTrackProcesses(options, errors, root);
        var groupOf = ValidateSyncGroups(options, errors, root);
        var seen = new Dictionary<(string, int), string>();
        foreach (var (name, o) in options.Instances)
        {
            var def = ValidateInstance(name, o, options, errors, $"{root}:Instances:{name}");
            if (def is not null && groupOf.TryGetValue(name, out var group))
            {
                def = WithSyncGroup(def, group, options, errors, root);
            }
            if (def is null)
            {
                continue;
            }
            if (seen.TryGetValue((def.Interface, def.Settings.VirtualRouterId), out var other))
            {
                errors.Add($"{root}:Instances:{name}:VirtualRouterId: {def.Settings.VirtualRouterId} on {def.Interface} is already used by instance {other}");
            }
            seen[(def.Interface, def.Settings.VirtualRouterId)] = name;
            result.Add(def);
        }
        return result;
    }

    // Ranges are written as "is not (in range)" so that NaN, which no comparison matches, is an error too;
    // every seconds value has an upper bound so that TimeSpan.FromSeconds cannot overflow.
    private static VrrpInstanceDefinition? ValidateInstance(string name, VrrpInstanceOptions o, VrrpOptions all, List<string> errors, string p)
    {
        int before = errors.Count;
        if (string.IsNullOrWhiteSpace(o.Interface)) errors.Add($"{p}:Interface: required");
        if (o.VirtualRouterId is < 1 or > 255) errors.Add($"{p}:VirtualRouterId: must be 1..255, got {o.VirtualRouterId}");
        if (o.Priority is < 1 or > 255) errors.Add($"{p}:Priority: must be 1..255 (0 is only sent on resign), got {o.Priority}");
        // keepalived gives an instance the family of its first VIP and runs IPv6 instances as VRRPv3.
        var family = InstanceFamily(o);
        bool v6 = family == AddressFamily.InterNetworkV6;
        int version = o.Version ?? (v6 ? 3 : 2);
        if (o.Version is { } given && given is not (2 or 3)) errors.Add($"{p}:Version: must be 2 or 3, got {given}");
        else if (v6 && version == 2) errors.Add($"{p}:Version: the VirtualAddresses are IPv6, and VRRP over IPv6 is version 3 only (RFC 5798; keepalived refuses version 2 for an IPv6 instance); set 3 or leave Version out");
        ushort intervalCs = 100;
        if (version == 2)
        {
            if (o.AdvertIntervalSeconds is not (>= 1 and <= 255) || Math.Abs(o.AdvertIntervalSeconds - Math.Round(o.AdvertIntervalSeconds)) > 1e-9)
                errors.Add($"{p}:AdvertIntervalSeconds: VRRPv2 needs whole seconds 1..255, got {o.AdvertIntervalSeconds}");
            else intervalCs = (ushort)(Math.Round(o.AdvertIntervalSeconds) * 100);
        }
        else
        {
            double cs = Math.Round(o.AdvertIntervalSeconds * 100);
            if (cs is not (>= 1 and <= 4095)) errors.Add($"{p}:AdvertIntervalSeconds: VRRPv3 needs 0.01..40.95, got {o.AdvertIntervalSeconds}");
            else intervalCs = (ushort)cs;
        }
        if (o.PreemptDelaySeconds is not (>= 0 and <= 1000)) errors.Add($"{p}:PreemptDelaySeconds: must be 0..1000");
        if (o.StartupListenSeconds is not (>= 0 and <= 3600)) errors.Add($"{p}:StartupListenSeconds: must be 0..3600");
        if (o.DownTimerAdverts is < 1 or > 100) errors.Add($"{p}:DownTimerAdverts: must be 1..100");
        if (o.ReleaseDelaySeconds is not (>= 0 and <= 5)) errors.Add($"{p}:ReleaseDelaySeconds: must be 0..5 (seconds the VIPs stay after a peer took over)");
        if (o.Priority == 255 && !o.Preempt) errors.Add($"{p}:Preempt: an address owner (priority 255) always preempts");

        var vips = new List<VirtualAddress>();
        if (o.VirtualAddresses.Count is 0 or > 20) errors.Add($"{p}:VirtualAddresses: give 1..20 addresses (one advert carries at most 20; put the rest under ExcludedAddresses)");
        var ipObjects = ValidateIpObjects(o, p, errors, family);
        foreach (var vip in ipObjects.Addresses)
        {
            vips.Add(vip.Address);
        }

        var authType = VrrpAuthType.None;
        var authData = new byte[8];
        if (o.Authentication is { } auth)
        {
            switch (auth.Type.ToUpperInvariant())
            {
                case "PASS":
                    if (version == 3) errors.Add($"{p}:Authentication: VRRPv3 has no authentication (keepalived ignores it); remove it");
                    if (string.IsNullOrEmpty(auth.Password)) errors.Add($"{p}:Authentication:Password: required for PASS");
                    else if (Encoding.ASCII.GetByteCount(auth.Password) > 8) errors.Add($"{p}:Authentication:Password: at most 8 characters are sent (keepalived truncates); shorten it");
                    else Encoding.ASCII.GetBytes(auth.Password).CopyTo(authData, 0);
                    authType = VrrpAuthType.Password;
                    break;
                case "NONE":
                    break;
                default:
                    errors.Add($"{p}:Authentication:Type: must be PASS or NONE (AH is not supported), got '{auth.Type}'");
                    break;
            }
        }

        // Source and peers must be of the instance's family (keepalived: "MUST be of the same family", and skips them).
        string familyName = v6 ? "IPv6" : "IPv4";
        string why = v6 ? " (the VirtualAddresses are IPv6)" : "";
        IPAddress? unicastSource = null;
        if (o.UnicastSource is not null && (!IPAddress.TryParse(o.UnicastSource, out unicastSource) || unicastSource.AddressFamily != family
            || o.UnicastSource.Contains('%', StringComparison.Ordinal)))
        {
            errors.Add($"{p}:UnicastSource: '{o.UnicastSource}' is not an {familyName} address{why}");
            unicastSource = null;
        }
        if (o.MulticastSource is not null)
        {
            if (!IPAddress.TryParse(o.MulticastSource, out var mcastSource) || mcastSource.AddressFamily != family
                || o.MulticastSource.Contains('%', StringComparison.Ordinal))
                errors.Add($"{p}:MulticastSource: '{o.MulticastSource}' is not an {familyName} address{why}");
            else if (unicastSource is not null && !unicastSource.Equals(mcastSource))
                errors.Add($"{p}:MulticastSource: differs from UnicastSource {unicastSource}; adverts have one source address");
            else unicastSource = mcastSource;
        }
        var peers = new List<IPAddress>();
        for (int i = 0; i < o.UnicastPeers.Count; i++)
        {
            if (IPAddress.TryParse(o.UnicastPeers[i], out var peer) && peer.AddressFamily == family && !o.UnicastPeers[i].Contains('%', StringComparison.Ordinal)) peers.Add(peer);
            else errors.Add($"{p}:UnicastPeers:{i}: '{o.UnicastPeers[i]}' is not an {familyName} address{why}");
        }

        var g = o.Garp;
        if (g.MasterRepeat is < 0 or > 100) errors.Add($"{p}:Garp:MasterRepeat: must be 0..100");
        if (g.LowerPriorityRepeat is < 0 or > 100) errors.Add($"{p}:Garp:LowerPriorityRepeat: must be 0..100");
        if (g.MasterDelaySeconds is not (>= 0 and <= 86400)) errors.Add($"{p}:Garp:MasterDelaySeconds: must be 0..86400");
        if (g.MasterRefreshSeconds is not (>= 0 and <= 86400)) errors.Add($"{p}:Garp:MasterRefreshSeconds: must be 0..86400");
        if (g.MasterRefreshRepeat is < 1 or > 100) errors.Add($"{p}:Garp:MasterRefreshRepeat: must be 1..100");
        if (g.IntervalSeconds is not (>= 0 and <= 1)) errors.Add($"{p}:Garp:IntervalSeconds: must be 0..1");
        if (g.NaIntervalSeconds is not (>= 0 and <= 1)) errors.Add($"{p}:Garp:NaIntervalSeconds: must be 0..1");
        if (o.Notify.TimeoutSeconds is not (> 0 and <= 3600)) errors.Add($"{p}:Notify:TimeoutSeconds: must be in (0, 3600]");

        var track = ValidateTrackList(o.Track, all, errors, p);
        ValidateVmac(o, p, errors);
        if (errors.Count != before)
        {
            return null;
        }
        if (o.TrackInterface && !track.Any(t => t.Kind == TrackKind.Interface && t.Target == o.Interface))
        {
            track.Insert(0, new TrackDefinition(TrackKind.Interface, o.Interface!, 0));
        }
        AddImplicitTracks(ipObjects, o.Interface!, track);
        bool strict = o.Strict ?? all.Global.Strict;
        if (strict)
        {
            // vrrp_strict (keepalived's vrrp_complete_instance): these are errors here rather than silent resets.
            if (peers.Count > 0) errors.Add($"{p}:UnicastPeers: unicast is not allowed with Strict (vrrp_strict)");
            if (authType != VrrpAuthType.None) errors.Add($"{p}:Authentication: not allowed with Strict (vrrp_strict)");
            if (o.PreemptDelaySeconds > 0) errors.Add($"{p}:PreemptDelaySeconds: not allowed with Strict (vrrp_strict)");
            if (o.DownTimerAdverts != 3) errors.Add($"{p}:DownTimerAdverts: must stay 3 with Strict (vrrp_strict)");
            if (v6 && peers.Count == 0 && !ipObjects.Addresses[0].Address.Address.IsIPv6LinkLocal)
                errors.Add($"{p}:VirtualAddresses:0: with Strict (vrrp_strict) the first IPv6 VIP must be link-local (RFC 5798 §5.2.9; keepalived refuses it too)");
            if (errors.Count != before)
            {
                return null;
            }
        }
        var settings = new VrrpInstanceSettings
        {
            Name = name,
            Version = (VrrpVersion)version,
            VirtualRouterId = (byte)o.VirtualRouterId,
            Priority = (byte)o.Priority,
            IntervalCentiseconds = intervalCs,
            Preempt = o.Preempt,
            PreemptDelay = TimeSpan.FromSeconds(o.PreemptDelaySeconds),
            StartupListen = TimeSpan.FromSeconds(o.StartupListenSeconds),
            DownTimerAdverts = o.DownTimerAdverts,
            HigherPrioritySendAdvert = o.HigherPrioritySendAdvert && !strict,
            LowerPriorityNoAdvert = o.LowerPriorityNoAdvert || strict,
            ReleaseDelay = TimeSpan.FromSeconds(o.ReleaseDelaySeconds),
            VirtualAddresses = vips,
            AuthType = authType,
            AuthData = authData,
            UnicastPeers = peers,
            Garp = new GarpSettings
            {
                MasterRepeat = g.MasterRepeat,
                MasterDelay = TimeSpan.FromSeconds(g.MasterDelaySeconds),
                MasterRefresh = TimeSpan.FromSeconds(g.MasterRefreshSeconds),
                LowerPriorityRepeat = strict ? 0 : g.LowerPriorityRepeat,
                MasterRefreshRepeat = g.MasterRefreshRepeat,
                Interval = TimeSpan.FromSeconds(g.IntervalSeconds),
                NaInterval = TimeSpan.FromSeconds(g.NaIntervalSeconds),
            },
        };
        return new VrrpInstanceDefinition(settings, o.Interface!, unicastSource, track, o.Notify, ipObjects, Vmac(o));
    }

    /// <summary>The family of the first VIP that parses (IPv4 when there is none): keepalived's rule for an instance.</summary>
    private static AddressFamily InstanceFamily(VrrpInstanceOptions o)
    {
        foreach (var line in o.VirtualAddresses)
        {
            if (IpSpecParser.TryParseAddress(line ?? "", out var spec, out _))
            {
                return spec!.Address.Address.AddressFamily;
            }
        }
        return AddressFamily.InterNetwork;
    }

    private static List<TrackDefinition> ValidateTrackList(List<VrrpTrackOptions> list, VrrpOptions all, List<string> errors, string p)
    {
        var track = new List<TrackDefinition>();
        for (int i = 0; i < list.Count; i++)
        {
            var t = list[i];
            string tp = $"{p}:Track:{i}";
            int kinds = (t.Condition is null ? 0 : 1) + (t.Interface is null ? 0 : 1) + (t.Script is null ? 0 : 1)
                + (t.File is null ? 0 : 1) + (t.Process is null ? 0 : 1);
            if (kinds != 1)
            {
                errors.Add($"{tp}: give exactly one of Condition, Interface, Script, File, Process");
                continue;
            }
            if (t.Weight is < -254 or > 254 || (t.File is null && t.Weight is < -253 or > 253))
                errors.Add($"{tp}:Weight: must be in -253..253 (-254..254 for a File)");
            TrackDefinition? def = null;
            if (t.Script is not null)
            {
                if (!all.Scripts.TryGetValue(t.Script, out var script)) errors.Add($"{tp}:Script: no script named '{t.Script}' under Vrrp:Scripts");
                else def = new TrackDefinition(TrackKind.Script, t.Script, t.Weight ?? script.Weight);
            }
            else if (t.File is not null)
            {
                if (!all.TrackFiles.TryGetValue(t.File, out var file)) errors.Add($"{tp}:File: no track file named '{t.File}' under Vrrp:TrackFiles");
                else def = new TrackDefinition(TrackKind.File, t.File, t.Weight ?? file.Weight) { Reverse = t.Weight is null ? file.Reverse : t.Reverse };
            }
            else if (t.Process is not null)
            {
                if (!all.TrackProcesses.TryGetValue(t.Process, out var proc)) errors.Add($"{tp}:Process: no process named '{t.Process}' under Vrrp:TrackProcesses");
                else def = new TrackDefinition(TrackKind.Process, t.Process, t.Weight ?? proc.Weight) { Reverse = t.Weight is null ? proc.Reverse : t.Reverse };
            }
            else if (t.Interface is not null) def = new TrackDefinition(TrackKind.Interface, t.Interface, t.Weight ?? 0);
            else def = new TrackDefinition(TrackKind.Condition, t.Condition!, t.Weight ?? 0);
            if (def is not null)
            {
                track.Add(def.Kind is TrackKind.File or TrackKind.Process ? def : def with { Reverse = t.Reverse });
            }
        }
        return track;
    }

    private static void ValidateGlobal(VrrpGlobalOptions g, List<string> errors, string root)
    {
        string p = $"{root}:Global";
        if (g.ScriptUser is { } user && (user.Length == 0 || user.Any(c => char.IsWhiteSpace(c) || c == ':')))
            errors.Add($"{p}:ScriptUser: '{user}' is not a user name");
        if (g.ScriptGroup is not null && g.ScriptUser is null) errors.Add($"{p}:ScriptGroup: needs ScriptUser");
        if (g.NotifyFifo is { } fifo && !System.IO.Path.IsPathFullyQualified(fifo)) errors.Add($"{p}:NotifyFifo: '{fifo}' must be an absolute path");
        if (g.NotifyFifoScript is not null && g.NotifyFifo is null) errors.Add($"{p}:NotifyFifoScript: needs NotifyFifo (the script reads it)");
    }

    private static void ValidateTrackFiles(VrrpOptions options, List<string> errors, string root)
    {
        foreach (var (name, f) in options.TrackFiles)
        {
            string p = $"{root}:TrackFiles:{name}";
            if (string.IsNullOrWhiteSpace(f.Path) || !System.IO.Path.IsPathFullyQualified(f.Path)) errors.Add($"{p}:Path: an absolute path is required");
            if (f.Weight is < -254 or > 254) errors.Add($"{p}:Weight: must be in -254..254");
            if (f.InitValue is < int.MinValue or > int.MaxValue) errors.Add($"{p}:InitValue: must be a 32-bit integer");
            if (f.InitOverwrite && f.InitValue is null) errors.Add($"{p}:InitOverwrite: needs InitValue");
        }
    }

    private static void ValidateTrackProcesses(VrrpOptions options, List<string> errors, string root)
    {
        foreach (var (name, t) in options.TrackProcesses)
        {
            string p = $"{root}:TrackProcesses:{name}";
            if (string.IsNullOrEmpty(t.Process) || t.Process.Contains('\0')) errors.Add($"{p}:Process: required");
            else if (!t.FullCommand && t.Parameters is null && t.ParamMatch is null && t.Process.Length > 15)
                errors.Add($"{p}:Process: '{t.Process}' is longer than the 15 characters of a process name; set FullCommand to match the command line");
            if (t.ParamMatch is not (null or "partial" or "initial" or "exact")) errors.Add($"{p}:ParamMatch: must be partial, initial or exact");
            if (t.Weight is < -254 or > 254) errors.Add($"{p}:Weight: must be in -254..254");
            if (t.Quorum < 0) errors.Add($"{p}:Quorum: must be at least 0");
            if (t.QuorumMax is { } max && max < t.Quorum) errors.Add($"{p}:QuorumMax: must be at least Quorum ({t.Quorum})");
            if (t.ForkDelaySeconds is not (>= 0 and <= 3600)) errors.Add($"{p}:ForkDelaySeconds: must be 0..3600");
            if (t.TerminateDelaySeconds is not (>= 0 and <= 3600)) errors.Add($"{p}:TerminateDelaySeconds: must be 0..3600");
            if (t.IntervalSeconds is not (>= 0.05 and <= 60)) errors.Add($"{p}:IntervalSeconds: must be 0.05..60");
        }
    }

    /// <returns>Instance name → group name.</returns>
    private static Dictionary<string, string> ValidateSyncGroups(VrrpOptions options, List<string> errors, string root)
    {
        var groupOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, g) in options.SyncGroups)
        {
            string p = $"{root}:SyncGroups:{name}";
            if (g.Instances.Count == 0) errors.Add($"{p}:Instances: give the instances that move together");
            for (int i = 0; i < g.Instances.Count; i++)
            {
                string member = g.Instances[i];
                if (!options.Instances.ContainsKey(member)) errors.Add($"{p}:Instances:{i}: no instance named '{member}' under Vrrp:Instances");
                else if (groupOf.TryGetValue(member, out var other)) errors.Add($"{p}:Instances:{i}: '{member}' is already in sync group {other} (keepalived allows one)");
                else groupOf[member] = name;
            }
            if (g.Notify.TimeoutSeconds is not (> 0 and <= 3600)) errors.Add($"{p}:Notify:TimeoutSeconds: must be in (0, 3600]");
            ValidateTrackList(g.Track, options, errors, p);
            var owners = g.Instances.Where(m => options.Instances.TryGetValue(m, out var o) && o.Priority == 255).ToArray();
            if (owners.Length > 0 && owners.Length < g.Instances.Count)
                errors.Add($"{p}:Instances: some members are address owners (priority 255) and some not; keepalived says this won't work");
        }
        return groupOf;
    }

    /// <summary>
    /// Adds the group's tracking (weights allowed, as in keepalived) to a member. Without TrackingWeight keepalived
    /// ignores the weights of the member's own tracking (vrrp_complete_instance); we refuse them instead, so nobody
    /// believes such a weight moves the group.
    /// </summary>
    private static VrrpInstanceDefinition WithSyncGroup(VrrpInstanceDefinition def, string group, VrrpOptions options, List<string> errors, string root)
    {
        var g = options.SyncGroups[group];
        string name = def.Settings.Name;
        var groupTrack = ValidateTrackList(g.Track, options, [], $"{root}:SyncGroups:{group}");
        if (!g.TrackingWeight)
        {
            var own = options.Instances[name].Track;
            for (int i = 0; i < def.Track.Count; i++)
            {
                if (def.Track[i].Weight != 0)
                {
                    int at = own.FindIndex(t => t.Condition == def.Track[i].Target || t.Interface == def.Track[i].Target || t.Script == def.Track[i].Target
                        || t.File == def.Track[i].Target || t.Process == def.Track[i].Target);
                    errors.Add($"{root}:Instances:{name}:Track:{Math.Max(at, 0)}:Weight: instance is in sync group {group}, whose members track with weight 0 only (set SyncGroups:{group}:TrackingWeight to allow weights)");
                }
            }
        }
        var merged = def.Track.Concat(groupTrack.Where(t => !def.Track.Any(d => d.Kind == t.Kind && d.Target == t.Target))).ToList();
        return def with { Track = merged, SyncGroup = group };
    }
}
