using System.Security.Cryptography;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>
/// Three namespaces a, b (the VRRP nodes) and c (an observer) on a bridge that lives in a fourth hub namespace,
/// so nothing but the short-lived veth creation touches the host's own namespace. Subnet 10.99.0.0/24:
/// a = .1, b = .2, c = .3; VIP .100.
/// </summary>
internal sealed class NetnsLab : IAsyncDisposable
{
    public const string Prefix = "shgv";
    public const string Vip = "10.99.0.100";
    private readonly List<IAsyncDisposable> _processes = [];

    public NetnsLab()
    {
        Id = Prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Dir = Directory.CreateTempSubdirectory(Id + "-").FullName;
        Shell.Run("chmod", "755", Dir);   // an unprivileged node must be able to read its config
        try
        {
            foreach (var n in new[] { "h", "a", "b", "c" })
            {
                Shell.Ip("netns", "add", Ns(n));
                Shell.Ip("-n", Ns(n), "link", "set", "lo", "up");
            }
            Shell.Ip("-n", Ns("h"), "link", "add", "br0", "type", "bridge");
            Shell.Ip("-n", Ns("h"), "link", "set", "br0", "up");
            int host = 1;
            foreach (var n in new[] { "a", "b", "c" })
            {
                Shell.Ip("-n", Ns(n), "link", "add", Dev(n), "type", "veth", "peer", "name", "h" + n, "netns", Ns("h"));
                Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "master", "br0");
                Shell.Ip("-n", Ns("h"), "link", "set", "h" + n, "up");
                Shell.Ip("-n", Ns(n), "addr", "add", $"10.99.0.{host++}/24", "dev", Dev(n));
                Shell.Ip("-n", Ns(n), "link", "set", Dev(n), "up");
            }
            // Let the observer learn addresses from gratuitous ARP, so we can see who announced the VIP.
            Shell.Run("ip", "netns", "exec", Ns("c"), "sysctl", "-q", "-w", $"net.ipv4.conf.{Dev("c")}.arp_accept=1");
        }
        catch
        {
            DeleteNamespaces(Id);
            throw;
        }
    }

    public string Id { get; }
    public string Dir { get; }

    public string Ns(string node) => Id + node;
    public static string Dev(string node) => "v" + node;
    public static string Address(string node) => node switch { "a" => "10.99.0.1", "b" => "10.99.0.2", _ => "10.99.0.3" };

    public T Track<T>(T process) where T : IAsyncDisposable
    {
        _processes.Add(process);
        return process;
    }

    public bool HasVip(string node, string vip = Vip) =>
        Shell.Run("ip", "-n", Ns(node), "-4", "-o", "addr", "show", "dev", Dev(node)).Output.Contains($" {vip}/", StringComparison.Ordinal);

    public string Mac(string node) =>
        Shell.Ip("-n", Ns(node), "-o", "link", "show", "dev", Dev(node)).Split("link/ether ")[1].Split(' ')[0];

    /// <summary>The MAC the observer's neighbour table holds for the VIP (learned from gratuitous ARP), or null.</summary>
    public string? ObserverNeighbour(string vip = Vip)
    {
        var line = Shell.Run("ip", "-n", Ns("c"), "neigh", "show", vip, "dev", Dev("c")).Output;
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

    public bool ObserverCanPing(string vip = Vip) =>
        Shell.Run("ip", "netns", "exec", Ns("c"), "ping", "-c", "1", "-W", "1", vip).Exit == 0;

    /// <summary>Removes namespaces left by an earlier, interrupted run (only ours: the shgv prefix).</summary>
    public static void DeleteLeftovers()
    {
        foreach (var line in Shell.Run("ip", "netns", "list").Output.Split('\n'))
        {
            var name = line.Split(' ')[0].Trim();
            if (name.StartsWith(Prefix, StringComparison.Ordinal))
            {
                Shell.Run("ip", "netns", "del", name);
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
