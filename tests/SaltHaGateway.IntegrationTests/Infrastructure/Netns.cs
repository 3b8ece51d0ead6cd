using System.Diagnostics;
using System.Security.Cryptography;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// Two hosts, a and b, in network namespaces the test creates, joined by a bridge in a third (hub) namespace:
/// subnet 10.98.0.0/24 with a = .1 and b = .2, VIP .100. Names start with "shgi" and are removed at the end.
/// </summary>
public sealed class Netns : IDisposable
{
    public const string Prefix = "shgi";
    public const string Vip = "10.98.0.100";

    public Netns()
    {
        Id = Prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        try
        {
            foreach (var n in new[] { "h", "a", "b" })
            {
                Run("ip", "netns", "add", Ns(n));
                Run("ip", "-n", Ns(n), "link", "set", "lo", "up");
            }
            Run("ip", "-n", Ns("h"), "link", "add", "br0", "type", "bridge");
            Run("ip", "-n", Ns("h"), "link", "set", "br0", "up");
            foreach (var (n, host) in new[] { ("a", 1), ("b", 2) })
            {
                Run("ip", "-n", Ns(n), "link", "add", "v" + n, "type", "veth", "peer", "name", "h" + n, "netns", Ns("h"));
                Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "master", "br0");
                Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "up");
                Run("ip", "-n", Ns(n), "addr", "add", $"10.98.0.{host}/24", "dev", "v" + n);
                Run("ip", "-n", Ns(n), "link", "set", "v" + n, "up");
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Id { get; }
    public string Ns(string node) => Id + node;

    public bool HasVip(string node) => Run("ip", "-n", Ns(node), "-4", "-o", "addr", "show").Contains($" {Vip}/", StringComparison.Ordinal);

    public static string Run(params string[] args)
    {
        var info = new ProcessStartInfo(args[0]) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args.Skip(1)) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd() + p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0 && args[1] != "netns") throw new InvalidOperationException($"{string.Join(' ', args)}: {output}");
        return output;
    }

    public void Dispose()
    {
        foreach (var n in new[] { "a", "b", "h" })
        {
            try { Run("ip", "netns", "del", Ns(n)); } catch (InvalidOperationException) { }
        }
    }
}
