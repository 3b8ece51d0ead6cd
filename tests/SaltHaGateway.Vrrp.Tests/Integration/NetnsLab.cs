using System.Security.Cryptography;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// Three namespaces a, b (the VRRP nodes) and c (an observer) on a bridge that lives in a fourth hub namespace,
/// so nothing but the short-lived veth creation touches the host's own namespace. Subnet 10.99.0.0/24:
/// a = .1, b = .2, c = .3; VIP .100. An IPv6 lab also has fd99::/64 (a = ::1, b = ::2, c = ::3, VIP ::100), no DAD
/// (so link-local addresses are usable at once), and an observer that acts as a router (it forwards IPv6 and accepts
/// untracked Neighbour Advertisements, so it learns a VIP from an unsolicited NA).
/// </summary>
internal sealed class NetnsLab : IAsyncDisposable
{
    public const string Prefix = "shgv";
    public const string Vip = "10.99.0.100";
    public const string Vip6 = "fd99::100";
    private readonly List<IAsyncDisposable> _processes = [];

    public NetnsLab(bool ipv6 = false)
    {
        Ipv6 = ipv6;
        Id = Prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Dir = Directory.CreateTempSubdirectory(Id + "-").FullName;
        Shell.Run("chmod", "755", Dir);   // an unprivileged node must be able to read its config
        try
        {
            foreach (var n in new[] { "h", "a", "b", "c" })
            {
                Shell.Ip("netns", "add", Ns(n));
                Shell.Ip("-n", Ns(n), "link", "set", "lo", "up");
                if (ipv6)
                {
                    // Before any link exists, so that every one created here inherits it.
                    Shell.Run("ip", "netns", "exec", Ns(n), "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
                }
            }
            Shell.Ip("-n", Ns("h"), "link", "add", "br0", "type", "bridge");
            Shell.Ip("-n", Ns("h"), "link", "set", "br0", "up");
            int host = 1;
            foreach (var n in new[] { "a", "b", "c" })
            {
                Shell.Ip("-n", Ns(n), "link", "add", Dev(n), "type", "veth", "peer", "name", "h" + n, "netns", Ns("h"));
                Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "master", "br0");
                Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "up");
                if (ipv6) Shell.Ip("-n", Ns(n), "addr", "add", $"fd99::{host}/64", "dev", Dev(n));
                Shell.Ip("-n", Ns(n), "addr", "add", $"10.99.0.{host++}/24", "dev", Dev(n));
                Shell.Ip("-n", Ns(n), "link", "set", Dev(n), "up");
            }
            // Let the observer learn addresses from gratuitous ARP, so we can see who announced the VIP.
            Shell.Run("ip", "netns", "exec", Ns("c"), "sysctl", "-q", "-w", $"net.ipv4.conf.{Dev("c")}.arp_accept=1");
            if (ipv6)
            {
                // RFC 9131: a router creates a neighbour entry from an unsolicited NA (accept_untracked_na).
                Shell.Run("ip", "netns", "exec", Ns("c"), "sysctl", "-q", "-w", $"net.ipv6.conf.{Dev("c")}.forwarding=1",
                    $"net.ipv6.conf.{Dev("c")}.accept_untracked_na=1");
            }
        }
        catch
        {
            DeleteNamespaces(Id);
            throw;
        }
    }

    public string Id { get; }
    public bool Ipv6 { get; }
    /// <summary>The VIP the tests move by default: 10.99.0.100, or fd99::100 in an IPv6 lab.</summary>
    public string DefaultVip => Ipv6 ? Vip6 : Vip;
    public string Dir { get; }

    public string Ns(string node) => Id + node;
    public static string Dev(string node) => "v" + node;
    public static string Address(string node) => node switch { "a" => "10.99.0.1", "b" => "10.99.0.2", _ => "10.99.0.3" };
    public static string Address6(string node) => node switch { "a" => "fd99::1", "b" => "fd99::2", _ => "fd99::3" };

    public static string Dev2(string node) => "w" + node;

    /// <summary>The second link's device in a node (a sync group spans two interfaces).</summary>
    public static string SecondDev(string node) => Dev2(node);

    /// <summary>
    /// A second link between a and b (not the observer) on its own bridge br1 in the hub namespace: device "w" + node,
    /// 10.98.0.0/24, a = .1, b = .2, for a sync group that spans two interfaces and for addresses and routes that an
    /// instance puts on another interface than its own.
    /// </summary>
    public void AddSecondLink()
    {
        Shell.Ip("-n", Ns("h"), "link", "add", "br1", "type", "bridge");
        Shell.Ip("-n", Ns("h"), "link", "set", "br1", "up");
        int host = 1;
        foreach (var n in new[] { "a", "b" })
        {
            Shell.Ip("-n", Ns(n), "link", "add", Dev2(n), "type", "veth", "peer", "name", "i" + n, "netns", Ns("h"));
            Shell.Ip("-n", Ns("h"), "link", "set", "i" + n, "master", "br1");
            Shell.Ip("-n", Ns("h"), "link", "set", "i" + n, "up");
            Shell.Ip("-n", Ns(n), "addr", "add", $"10.98.0.{host++}/24", "dev", Dev2(n));
            Shell.Ip("-n", Ns(n), "link", "set", Dev2(n), "up");
        }
    }

    /// <summary>"ip -o ..." output inside a node's namespace.</summary>
    public string IpIn(string node, params string[] args) => Shell.Run("ip", ["-n", Ns(node), .. args]).Output;

    /// <summary>Whether <paramref name="node"/> holds <paramref name="vip"/> on any of its interfaces.</summary>
    public bool HasAddress(string node, string vip) =>
        Shell.Run("ip", "-n", Ns(node), "-4", "-o", "addr", "show").Output.Contains($" {vip}/", StringComparison.Ordinal);

    public T Track<T>(T process) where T : IAsyncDisposable
    {
        _processes.Add(process);
        return process;
    }

    public bool HasVip(string node, string? vip = null)
    {
        vip ??= DefaultVip;
        return Shell.Run("ip", "-n", Ns(node), vip.Contains(':') ? "-6" : "-4", "-o", "addr", "show", "dev", Dev(node)).Output
            .Contains($" {vip}/", StringComparison.Ordinal);
    }

    public string Mac(string node) =>
        Shell.Ip("-n", Ns(node), "-o", "link", "show", "dev", Dev(node)).Split("link/ether ")[1].Split(' ')[0];

    /// <summary>The MAC the observer's neighbour table holds for the VIP (learned from gratuitous ARP or unsolicited NA), or null.</summary>
    public string? ObserverNeighbour(string? vip = null)
    {
        var line = Shell.Run("ip", "-n", Ns("c"), "neigh", "show", vip ?? DefaultVip, "dev", Dev("c")).Output;
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int i = Array.IndexOf(parts, "lladdr");
        return i >= 0 && i + 1 < parts.Length ? parts[i + 1] : null;
    }

    public string Curl(string node, string url) =>
        Shell.Run("ip", "netns", "exec", Ns(node), "curl", "-s", "--max-time", "5", url).Output;

    /// <summary>Bridge-port isolation: the nodes stop hearing each other while both still reach the observer.</summary>
    public void Isolate(params string[] nodes)
    {
        foreach (var n in nodes) Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "type", "bridge_slave", "isolated", "on");
    }

    public void Heal(params string[] nodes)
    {
        foreach (var n in nodes) Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "type", "bridge_slave", "isolated", "off");
    }

    public bool ObserverCanPing(string? vip = null) =>
        Shell.Run("ip", "netns", "exec", Ns("c"), "ping", "-c", "1", "-W", "1", vip ?? DefaultVip).Exit == 0;

    /// <summary>
    /// Removes labs left by an interrupted run: only ours (shgv + 6 hex + a node letter), only when older than ten
    /// minutes (every test here is bounded well below that) and with no process left in them, so the lab of a run
    /// going on in parallel on the same machine is never touched.
    /// </summary>
    public static void DeleteLeftovers()
    {
        const string runDir = "/run/netns";
        if (!Directory.Exists(runDir)) return;
        var labs = Directory.GetFiles(runDir, Prefix + "*").Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length == Prefix.Length + 7 && "abch".Contains(n[^1]) && n[Prefix.Length..^1].All(Uri.IsHexDigit))
            .GroupBy(n => n[..^1]);
        foreach (var lab in labs)
        {
            bool old = lab.All(n => File.GetLastWriteTimeUtc(Path.Combine(runDir, n)) < DateTime.UtcNow - TimeSpan.FromMinutes(10));
            bool empty = lab.All(n => Shell.Run("ip", "netns", "pids", n).Output.Trim().Length == 0);
            if (!old || !empty) continue;
            foreach (var n in lab) Shell.Run("ip", "netns", "del", n);
            foreach (var dir in Directory.GetDirectories(Path.GetTempPath(), lab.Key + "-*"))
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }

    private static void DeleteNamespaces(string id)
    {
        foreach (var n in new[] { "a", "b", "c", "h" })
        {
            Shell.Run("ip", "netns", "del", id + n);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var p in _processes)
        {
            await p.DisposeAsync();
        }
        DeleteNamespaces(Id);
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
