using System.Text.Json;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>Writes configs and starts gateway VRRP nodes and keepalived 2.2.7 inside a lab.</summary>
internal static class Nodes
{
    private static readonly Lazy<string> NodeDll = new(() =>
    {
        var baseDir = new DirectoryInfo(AppContext.BaseDirectory);
        string configuration = baseDir.Parent!.Name;            // Release or Debug
        var projectDir = baseDir.Parent.Parent!.Parent!.FullName;
        var dll = Path.Combine(projectDir, "VrrpNode", "bin", configuration, baseDir.Name, "VrrpNode.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException("VrrpNode.dll is built with the test project", dll);
    });

    public static string NodeDllPath => NodeDll.Value;

    public sealed record Spec(int Version, int Priority, double Interval, bool Unicast = false, string? Password = null,
        bool Preempt = true, int DownTimerAdverts = 3, object[]? Track = null, object? Scripts = null, object? Notify = null,
        IpLines? Ip = null, Dictionary<string, object>? GatewayExtra = null, string? KeepalivedExtra = null);

    /// <summary>
    /// Address, route and rule lines in keepalived's syntax, given to both kinds of node; "{dev2}" stands for the
    /// node's second interface (see <see cref="NetnsLab.AddSecondLink"/>).
    /// </summary>
    public sealed record IpLines(string[] Vips, string[]? Excluded = null, string[]? Routes = null, string[]? Rules = null,
        string[]? StaticAddresses = null, string[]? StaticRoutes = null)
    {
        public string[] For(string node, string[]? lines) => (lines ?? [])
            .Select(l => l.Replace("{dev2}", NetnsLab.Dev2(node), StringComparison.Ordinal).Replace("{dev}", NetnsLab.Dev(node), StringComparison.Ordinal)).ToArray();
    }

    /// <summary>The lab's VIP as a virtual_ipaddress line: 10.99.0.100/32, or fd99::100/64 in an IPv6 lab.</summary>
    private static string DefaultVipLine(NetnsLab lab) => lab.Ipv6 ? NetnsLab.Vip6 + "/64" : NetnsLab.Vip + "/32";

    /// <summary>A node's unicast address in the lab's family.</summary>
    private static string Address(NetnsLab lab, string node) => lab.Ipv6 ? NetnsLab.Address6(node) : NetnsLab.Address(node);

    public static NodeProcess Gateway(NetnsLab lab, string node, Spec spec, params string[] extraArgs)
    {
        string peer = node == "a" ? "b" : "a";
        var instance = new Dictionary<string, object?>
        {
            ["Interface"] = NetnsLab.Dev(node),
            ["VirtualRouterId"] = 51,
            ["Priority"] = spec.Priority,
            ["Version"] = spec.Version,
            ["AdvertIntervalSeconds"] = spec.Interval,
            ["Preempt"] = spec.Preempt,
            ["DownTimerAdverts"] = spec.DownTimerAdverts,
            ["VirtualAddresses"] = new[] { DefaultVipLine(lab) },
            ["Garp"] = new { MasterRepeat = 3, MasterDelaySeconds = 1 },
        };
        if (spec.Ip is { } ip)
        {
            instance["VirtualAddresses"] = ip.For(node, ip.Vips);
            instance["ExcludedAddresses"] = ip.For(node, ip.Excluded);
            instance["VirtualRoutes"] = ip.For(node, ip.Routes);
            instance["VirtualRules"] = ip.For(node, ip.Rules);
        }
        foreach (var (key, value) in spec.GatewayExtra ?? []) instance[key] = value;
        if (spec.Password is not null) instance["Authentication"] = new { Type = "PASS", Password = spec.Password };
        if (spec.Unicast)
        {
            instance["UnicastSource"] = Address(lab, node);
            instance["UnicastPeers"] = new[] { Address(lab, peer) };
        }
        if (spec.Track is not null) instance["Track"] = spec.Track;
        if (spec.Notify is not null) instance["Notify"] = spec.Notify;
        var path = Path.Combine(lab.Dir, $"gw-{node}.json");
        var vrrp = new Dictionary<string, object> { ["Instances"] = new Dictionary<string, object> { ["VI_1"] = instance }, ["Scripts"] = spec.Scripts ?? new { } };
        if (spec.Ip?.StaticAddresses is { } sa) vrrp["StaticAddresses"] = spec.Ip.For(node, sa);
        if (spec.Ip?.StaticRoutes is { } sr) vrrp["StaticRoutes"] = spec.Ip.For(node, sr);
        File.WriteAllText(path, JsonSerializer.Serialize(new { Vrrp = vrrp }));
        // "--unprivileged" runs the node as nobody without capabilities (start-up must say what is missing).
        string[] prefix = extraArgs.Contains("--unprivileged")
            ? ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "--inh-caps=-all", "dotnet"]
            : ["dotnet"];
        var command = prefix.Concat([NodeDll.Value, path]).Concat(extraArgs.Where(a => a != "--unprivileged")).ToArray();
        return lab.Track(NodeProcess.StartIn(lab.Ns(node), "gateway " + node, command));
    }

    public static NodeProcess Keepalived(NetnsLab lab, string node, Spec spec)
    {
        string peer = node == "a" ? "b" : "a";
        var conf = new System.Text.StringBuilder();
        conf.AppendLine("global_defs {\n  router_id " + lab.Id + node + "\n  vrrp_version " + spec.Version + "\n}");
        conf.AppendLine("vrrp_instance VI_1 {");
        conf.AppendLine("  state BACKUP\n  interface " + NetnsLab.Dev(node));
        conf.AppendLine("  virtual_router_id 51\n  priority " + spec.Priority);
        conf.AppendLine("  advert_int " + spec.Interval.ToString(System.Globalization.CultureInfo.InvariantCulture));
        conf.AppendLine("  down_timer_adverts " + spec.DownTimerAdverts);
        if (!spec.Preempt) conf.AppendLine("  nopreempt");
        if (spec.Password is not null) conf.AppendLine("  authentication {\n    auth_type PASS\n    auth_pass " + spec.Password + "\n  }");
        if (spec.Unicast) conf.AppendLine($"  unicast_src_ip {Address(lab, node)}\n  unicast_peer {{\n    {Address(lab, peer)}\n  }}");
        if (spec.KeepalivedExtra is not null) conf.AppendLine("  " + spec.KeepalivedExtra);
        if (spec.Ip is { } ip)
        {
            foreach (var (block, lines) in new[] { ("virtual_ipaddress", ip.Vips), ("virtual_ipaddress_excluded", ip.Excluded), ("virtual_routes", ip.Routes), ("virtual_rules", ip.Rules) })
            {
                if (lines is { Length: > 0 }) conf.AppendLine("  " + block + " {\n    " + string.Join("\n    ", ip.For(node, lines)) + "\n  }");
            }
            conf.AppendLine("}");
        }
        else conf.AppendLine("  virtual_ipaddress {\n    " + DefaultVipLine(lab) + "\n  }\n}");
        var path = Path.Combine(lab.Dir, $"ka-{node}.conf");
        File.WriteAllText(path, conf.ToString());
        return lab.Track(NodeProcess.StartIn(lab.Ns(node), "keepalived " + node, "keepalived", "-n", "-l", "-D", "-P", "-f", path,
            "-p", Path.Combine(lab.Dir, $"ka-{node}.pid"), "-r", Path.Combine(lab.Dir, $"kav-{node}.pid")));
    }
}
