using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Import.Keepalived;

/// <summary>global_defs: the VRRP globals (Vrrp:Global) and the defaults keepalived applies to every instance.</summary>
internal static class KeepalivedGlobalTranslator
{
    // Global defaults that become per-instance values (keepalived's vrrp_complete_instance copies them the same way).
    private static readonly HashSet<string> InstanceDefaults =
    [
        "vrrp_garp_interval", "vrrp_gna_interval", "vrrp_garp_master_delay", "vrrp_garp_master_repeat", "vrrp_garp_master_refresh",
        "vrrp_garp_master_refresh_repeat", "vrrp_garp_lower_prio_repeat", "vrrp_lower_prio_no_advert",
        "vrrp_higher_prio_send_advert", "vrrp_min_garp",
    ];

    /// <returns>False when the keyword has no equivalent (the caller reports it with <see cref="WhyNot"/>).</returns>
    public static bool Apply(KeepalivedConfigNode item, VrrpGlobalOptions g, List<KeepalivedConfigNode> instanceDefaults, List<string> issues)
    {
        const string where = "global_defs";
        switch (item.Keyword)
        {
            case "vrrp_strict": g.Strict = true; return true;
            case "enable_script_security": g.EnableScriptSecurity = true; return true;
            case "script_user":
                g.ScriptUser = item.Arg(0);
                g.ScriptGroup = item.Args.Count > 1 ? item.Arg(1) : null;
                return true;
            case "notify_fifo" or "vrrp_notify_fifo":
                if (g.NotifyFifo is not null && g.NotifyFifo != item.Arg(0))
                    KeepalivedConfigTranslator.Report(issues, item, where, $"a second FIFO; the gateway writes VRRP events to one ({g.NotifyFifo})");
                else g.NotifyFifo = item.Arg(0);
                if (item.Args.Count > 1) KeepalivedConfigTranslator.Report(issues, item, where, "the FIFO's owner is not set; the gateway creates it mode 0600 as its own user");
                return true;
            case "notify_fifo_script" or "vrrp_notify_fifo_script":
                if (g.NotifyFifoScript is not null && g.NotifyFifoScript != item.Arg(0))
                    KeepalivedConfigTranslator.Report(issues, item, where, $"a second FIFO script; the gateway runs one ({g.NotifyFifoScript})");
                else g.NotifyFifoScript = item.Arg(0);
                if (item.Args.Count > 1) KeepalivedConfigTranslator.Report(issues, item, where, "a per-script user is not supported; the script runs as script_user");
                return true;
            default:
                if (InstanceDefaults.Contains(item.Keyword))
                {
                    instanceDefaults.Add(item);
                    return true;
                }
                return false;
        }
    }

    public static string WhyNot(string keyword) => keyword switch
    {
        "router_id" => "names the node in keepalived's logs and e-mails; the gateway logs its host name",
        _ when keyword.StartsWith("smtp_", StringComparison.Ordinal) || keyword.StartsWith("notification_email", StringComparison.Ordinal)
            || keyword is "no_email_faults" or "email_faults" => "SMTP alerts are out of scope (use notify or the notify FIFO)",
        _ when keyword.StartsWith("lvs_", StringComparison.Ordinal) || keyword.StartsWith("checker_", StringComparison.Ordinal)
            => "LVS is out of scope (the gateway's proxy replaces it)",
        "enable_traps" or "enable_snmp_vrrp" or "enable_snmp_keepalived" or "enable_snmp_checker" or "enable_snmp_rfc"
            or "enable_snmp_rfcv2" or "enable_snmp_rfcv3" or "snmp_socket" => "SNMP is out of scope (the gateway exports Prometheus metrics)",
        _ => "no equivalent",
    };

    public static void ApplyInstanceDefaults(IReadOnlyList<KeepalivedConfigNode> defaults, VrrpInstanceOptions o, List<string> issues)
    {
        foreach (var item in defaults)
        {
            double Num(double fallback) => KeepalivedConfigTranslator.Number(item, issues, "global_defs", fallback);
            switch (item.Keyword)
            {
                case "vrrp_garp_interval": o.Garp.IntervalSeconds = Num(0); break;
                case "vrrp_gna_interval": o.Garp.NaIntervalSeconds = Num(0); break;
                case "vrrp_garp_master_delay": o.Garp.MasterDelaySeconds = Num(5); break;
                case "vrrp_garp_master_repeat": o.Garp.MasterRepeat = (int)Num(5); break;
                case "vrrp_garp_master_refresh": o.Garp.MasterRefreshSeconds = Num(0); break;
                case "vrrp_garp_master_refresh_repeat": o.Garp.MasterRefreshRepeat = (int)Num(1); break;
                case "vrrp_garp_lower_prio_repeat": o.Garp.LowerPriorityRepeat = (int)Num(5); break;
                case "vrrp_lower_prio_no_advert": o.LowerPriorityNoAdvert = Bool(item); break;
                case "vrrp_higher_prio_send_advert": o.HigherPrioritySendAdvert = Bool(item); break;
                case "vrrp_min_garp":
                    if (Bool(item))
                    {
                        o.Garp.MasterRepeat = 1;
                        o.Garp.MasterDelaySeconds = 0;
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// garp_group { garp_interval S; gna_interval S; interface IF | interfaces { IF ... } }: keepalived's per-interface
    /// pauses between gratuitous ARPs and between NAs. The gateway keeps them per instance, so they go to every instance
    /// on one of the group's interfaces (overriding vrrp_garp_interval/vrrp_gna_interval, as in keepalived).
    /// </summary>
    public static void ApplyGarpGroup(KeepalivedConfigNode group, VrrpOptions options, List<string> issues)
    {
        const string where = "garp_group";
        double? garp = null, gna = null;
        var interfaces = new List<string>();
        foreach (var item in group.Children ?? [])
        {
            switch (item.Keyword)
            {
                case "garp_interval": garp = KeepalivedConfigTranslator.Number(item, issues, where, 0); break;
                case "gna_interval": gna = KeepalivedConfigTranslator.Number(item, issues, where, 0); break;
                case "interface": interfaces.Add(item.Arg(0)); break;
                case "interfaces": interfaces.AddRange((item.Children ?? []).Select(c => c.Keyword).Concat(item.Args)); break;
                default: KeepalivedConfigTranslator.Report(issues, item, where, "not supported"); break;
            }
        }
        if (interfaces.Count == 0)
        {
            issues.Add($"{where} (line {group.Line}): names no interface, so it applies to none (keepalived refuses it too)");
            return;
        }
        foreach (var o in options.Instances.Values.Where(o => o.Interface is not null && interfaces.Contains(o.Interface)))
        {
            if (garp is { } g) o.Garp.IntervalSeconds = g;
            if (gna is { } n) o.Garp.NaIntervalSeconds = n;
        }
    }

    /// <summary>keepalived's optional boolean: no argument is true; true/on/yes or false/off/no.</summary>
    public static bool Bool(KeepalivedConfigNode item) =>
        item.Args.Count == 0 || item.Arg(0).ToLowerInvariant() is not ("false" or "off" or "no" or "0");
}
