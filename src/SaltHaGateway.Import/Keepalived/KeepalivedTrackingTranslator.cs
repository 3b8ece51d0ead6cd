using System.Globalization;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Keepalived;

/// <summary>vrrp_sync_group, track_file, vrrp_track_process and the "NAME weight W [reverse]" references to them.</summary>
internal static class KeepalivedTrackingTranslator
{
    public static VrrpSyncGroupOptions SyncGroup(KeepalivedConfigNode node, List<string> issues)
    {
        var g = new VrrpSyncGroupOptions();
        string where = "vrrp_sync_group " + node.Arg(0);
        foreach (var item in node.Children ?? [])
        {
            switch (item.Keyword)
            {
                case "group":
                    foreach (var member in item.Children ?? [])
                    {
                        g.Instances.Add(member.Keyword);
                        g.Instances.AddRange(member.Args);
                    }
                    break;
                case "notify_master": g.Notify.Master = string.Join(' ', item.Args); break;
                case "notify_backup": g.Notify.Backup = string.Join(' ', item.Args); break;
                case "notify_fault": g.Notify.Fault = string.Join(' ', item.Args); break;
                case "notify_stop": g.Notify.Stop = string.Join(' ', item.Args); break;
                case "notify": g.Notify.Any = string.Join(' ', item.Args); break;
                case "sync_group_tracking_weight": g.TrackingWeight = true; break;
                case "global_tracking":
                    g.TrackingWeight = true;
                    issues.Add($"{where}: global_tracking (line {item.Line}) is deprecated in keepalived; read as sync_group_tracking_weight");
                    break;
                case "track_script": Refs(item, g.Track, t => new VrrpTrackOptions { Script = t }, issues, where); break;
                case "track_interface": Refs(item, g.Track, t => new VrrpTrackOptions { Interface = t, Weight = 0 }, issues, where); break;
                case "track_file": Refs(item, g.Track, t => new VrrpTrackOptions { File = t }, issues, where); break;
                case "track_process": Refs(item, g.Track, t => new VrrpTrackOptions { Process = t }, issues, where); break;
                case "smtp_alert": KeepalivedConfigTranslator.Report(issues, item, where, "SMTP alerts are out of scope (use notify or the notify FIFO)"); break;
                default: KeepalivedConfigTranslator.Report(issues, item, where, "not supported"); break;
            }
        }
        return g;
    }

    private static void Refs(KeepalivedConfigNode item, List<VrrpTrackOptions> into, Func<string, VrrpTrackOptions> make, List<string> issues, string where)
    {
        foreach (var t in item.Children ?? [])
        {
            var track = TrackRef(t, make(t.Keyword), issues, where);
            into.Add(track);
        }
    }

    /// <summary>"NAME [weight W [reverse|noreverse]]" inside track_script/track_interface/track_file/track_process.</summary>
    public static VrrpTrackOptions TrackRef(KeepalivedConfigNode t, VrrpTrackOptions track, List<string> issues, string where)
    {
        var args = t.Args;
        int i = 0;
        if (i < args.Count && args[i] == "weight")
        {
            if (int.TryParse(t.Arg(i + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out int w)) track.Weight = w;
            else issues.Add($"{where}: {t.Keyword} (line {t.Line}): weight '{t.Arg(i + 1)}' is not a number");
            i += 2;
            if (i < args.Count && args[i] is "reverse" or "noreverse")
            {
                track.Reverse = args[i] == "reverse";
                i++;
            }
        }
        if (i < args.Count) KeepalivedConfigTranslator.Report(issues, t, where, $"'{string.Join(' ', args.Skip(i))}' is not supported");
        return track;
    }

    public static VrrpTrackFileOptions TrackFile(KeepalivedConfigNode node, List<string> issues)
    {
        var f = new VrrpTrackFileOptions();
        string where = "track_file " + node.Arg(0);
        foreach (var item in node.Children ?? [])
        {
            switch (item.Keyword)
            {
                case "file": f.Path = item.Arg(0); break;
                case "weight":
                    f.Weight = (int)KeepalivedConfigTranslator.Number(item, issues, where, 1);
                    f.Reverse = item.Arg(1) == "reverse";
                    break;
                case "init_file":
                    f.InitValue = 0;
                    foreach (var a in item.Args)
                    {
                        if (a == "overwrite") f.InitOverwrite = true;
                        else if (long.TryParse(a, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v)) f.InitValue = v;
                        else KeepalivedConfigTranslator.Report(issues, item, where, $"'{a}' is not a value or 'overwrite'");
                    }
                    break;
                default: KeepalivedConfigTranslator.Report(issues, item, where, "not supported"); break;
            }
        }
        return f;
    }

    public static VrrpTrackProcessOptions TrackProcess(KeepalivedConfigNode node, List<string> issues)
    {
        var p = new VrrpTrackProcessOptions();
        string where = "vrrp_track_process " + node.Arg(0);
        foreach (var item in node.Children ?? [])
        {
            double Num(double fallback) => KeepalivedConfigTranslator.Number(item, issues, where, fallback);
            switch (item.Keyword)
            {
                case "process":
                    p.Process = item.Arg(0);
                    if (item.Args.Count > 1) p.Parameters = item.Args.Skip(1).ToList();
                    break;
                case "param_match": p.ParamMatch = item.Arg(0); break;
                case "full_command": p.FullCommand = true; break;
                case "weight":
                    p.Weight = (int)Num(1);
                    p.Reverse = item.Arg(1) == "reverse";
                    break;
                case "quorum": p.Quorum = (int)Num(1); break;
                case "quorum_max": p.QuorumMax = (int)Num(0); break;
                case "fork_delay": p.ForkDelaySeconds = Num(0); break;
                case "terminate_delay": p.TerminateDelaySeconds = Num(0); break;
                case "delay": p.ForkDelaySeconds = p.TerminateDelaySeconds = Num(0); break;
                default: KeepalivedConfigTranslator.Report(issues, item, where, "not supported"); break;
            }
        }
        return p;
    }

    /// <summary>
    /// keepalived's vrrp_complete_instance for sync group members without sync_group_tracking_weight: a weighted
    /// track_interface becomes weight 0, a weighted track_script is dropped, a track_file or track_process left at
    /// its default weight becomes weight 0 and one with an explicit weight is dropped. Each change is reported.
    /// </summary>
    public static void ApplySyncGroupRules(VrrpOptions options, List<string> issues)
    {
        foreach (var (name, g) in options.SyncGroups.Where(kv => !kv.Value.TrackingWeight))
        {
            foreach (var member in g.Instances)
            {
                if (!options.Instances.TryGetValue(member, out var o)) continue;
                string where = $"vrrp_instance {member}";
                foreach (var t in o.Track.ToArray())
                {
                    if (t.Interface is not null && t.Weight is not (null or 0))
                    {
                        issues.Add($"{where}: track_interface {t.Interface} weight {t.Weight} is ignored in sync group {name}, as keepalived does (weight 0: down is a fault)");
                        t.Weight = 0;
                    }
                    else if (t.Script is not null && (t.Weight ?? (options.Scripts.TryGetValue(t.Script, out var s) ? s.Weight : 0)) != 0)
                    {
                        issues.Add($"{where}: track_script {t.Script} has a weight and is ignored in sync group {name}, as keepalived does; track it with weight 0 or set sync_group_tracking_weight");
                        o.Track.Remove(t);
                    }
                    else if (t.File is not null || t.Process is not null)
                    {
                        int defaultWeight = t.File is not null
                            ? options.TrackFiles.TryGetValue(t.File, out var f) ? f.Weight : 1
                            : options.TrackProcesses.TryGetValue(t.Process!, out var p) ? p.Weight : 1;
                        string what = t.File is not null ? "track_file " + t.File : "track_process " + t.Process;
                        if (t.Weight is null && defaultWeight == 1)
                        {
                            issues.Add($"{where}: {what}'s default weight is ignored in sync group {name}, as keepalived does (weight 0)");
                            t.Weight = 0;
                        }
                        else if ((t.Weight ?? defaultWeight) != 0)
                        {
                            issues.Add($"{where}: {what} has a weight and is ignored in sync group {name}, as keepalived does; use weight 0 or set sync_group_tracking_weight");
                            o.Track.Remove(t);
                        }
                    }
                }
            }
        }
    }
}
