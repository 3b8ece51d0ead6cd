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
        var seen = new Dictionary<(string, int), string>();
        foreach (var (name, o) in options.Instances)
        {
            var def = ValidateInstance(name, o, options, errors, $"{root}:Instances:{name}");
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
        if (o.Version is not (2 or 3)) errors.Add($"{p}:Version: must be 2 or 3, got {o.Version}");
        ushort intervalCs = 100;
        if (o.Version == 2)
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
        if (o.VirtualAddresses.Count is 0 or > 20) errors.Add($"{p}:VirtualAddresses: give 1..20 IPv4 addresses (one advert carries at most 20; put the rest under ExcludedAddresses)");
        var ipObjects = ValidateIpObjects(o, p, errors);
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
                    if (o.Version == 3) errors.Add($"{p}:Authentication: VRRPv3 has no authentication (keepalived ignores it); remove it");
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

        IPAddress? unicastSource = null;
        if (o.UnicastSource is not null && (!IPAddress.TryParse(o.UnicastSource, out unicastSource) || unicastSource.AddressFamily != AddressFamily.InterNetwork))
            errors.Add($"{p}:UnicastSource: '{o.UnicastSource}' is not an IPv4 address");
        if (o.MulticastSource is not null)
        {
            if (!IPAddress.TryParse(o.MulticastSource, out var mcastSource) || mcastSource.AddressFamily != AddressFamily.InterNetwork)
                errors.Add($"{p}:MulticastSource: '{o.MulticastSource}' is not an IPv4 address");
            else if (unicastSource is not null && !unicastSource.Equals(mcastSource))
                errors.Add($"{p}:MulticastSource: differs from UnicastSource {unicastSource}; adverts have one source address");
            else unicastSource = mcastSource;
        }
        var peers = new List<IPAddress>();
        for (int i = 0; i < o.UnicastPeers.Count; i++)
        {
            if (IPAddress.TryParse(o.UnicastPeers[i], out var peer) && peer.AddressFamily == AddressFamily.InterNetwork) peers.Add(peer);
            else errors.Add($"{p}:UnicastPeers:{i}: '{o.UnicastPeers[i]}' is not an IPv4 address");
        }

        var g = o.Garp;
        if (g.MasterRepeat is < 0 or > 100) errors.Add($"{p}:Garp:MasterRepeat: must be 0..100");
        if (g.LowerPriorityRepeat is < 0 or > 100) errors.Add($"{p}:Garp:LowerPriorityRepeat: must be 0..100");
        if (g.MasterDelaySeconds is not (>= 0 and <= 86400)) errors.Add($"{p}:Garp:MasterDelaySeconds: must be 0..86400");
        if (g.MasterRefreshSeconds is not (>= 0 and <= 86400)) errors.Add($"{p}:Garp:MasterRefreshSeconds: must be 0..86400");
        if (o.Notify.TimeoutSeconds is not (> 0 and <= 3600)) errors.Add($"{p}:Notify:TimeoutSeconds: must be in (0, 3600]");

        var track = new List<TrackDefinition>();
        for (int i = 0; i < o.Track.Count; i++)
        {
            var t = o.Track[i];
            string tp = $"{p}:Track:{i}";
            int kinds = (t.Condition is null ? 0 : 1) + (t.Interface is null ? 0 : 1) + (t.Script is null ? 0 : 1);
            if (kinds != 1)
            {
                errors.Add($"{tp}: give exactly one of Condition, Interface, Script");
                continue;
            }
            if (t.Weight is < -253 or > 253) errors.Add($"{tp}:Weight: must be in -253..253");
            if (t.Script is not null)
            {
                if (!all.Scripts.TryGetValue(t.Script, out var script)) errors.Add($"{tp}:Script: no script named '{t.Script}' under Vrrp:Scripts");
                else track.Add(new TrackDefinition(TrackKind.Script, t.Script, t.Weight ?? script.Weight));
            }
            else if (t.Interface is not null) track.Add(new TrackDefinition(TrackKind.Interface, t.Interface, t.Weight ?? 0));
            else track.Add(new TrackDefinition(TrackKind.Condition, t.Condition!, t.Weight ?? 0));
        }
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
        var settings = new VrrpInstanceSettings
        {
            Name = name,
            Version = (VrrpVersion)o.Version,
            VirtualRouterId = (byte)o.VirtualRouterId,
            Priority = (byte)o.Priority,
            IntervalCentiseconds = intervalCs,
            Preempt = o.Preempt,
            PreemptDelay = TimeSpan.FromSeconds(o.PreemptDelaySeconds),
            StartupListen = TimeSpan.FromSeconds(o.StartupListenSeconds),
            DownTimerAdverts = o.DownTimerAdverts,
            HigherPrioritySendAdvert = o.HigherPrioritySendAdvert,
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
                LowerPriorityRepeat = g.LowerPriorityRepeat,
            },
        };
        return new VrrpInstanceDefinition(settings, o.Interface!, unicastSource, track, o.Notify, ipObjects, Vmac(o));
    }
}
