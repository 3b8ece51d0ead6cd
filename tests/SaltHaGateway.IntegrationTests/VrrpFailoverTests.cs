using System.Diagnostics;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// Two real gateways, each in its own network namespace in front of its own act2 (an nginx on the namespace's
/// loopback), holding a VIP with VRRP and tracking their upstream. When the master's act2 dies the checker marks it
/// down, the tracked condition drops the master's priority, and the VIP moves to the node that can still serve.
/// </summary>
public sealed class VrrpFailoverTests
{
    private static string Config(int priority, int act2Port, string iface) => new JsonObject
    {
        ["Gateway"] = new JsonObject
        {
            ["Listen"] = new JsonArray("http://*:8080"),
            ["Admin"] = new JsonObject { ["Listen"] = "http://127.0.0.1:9145" },
            ["AccessLog"] = new JsonObject { ["Format"] = "off" },
        },
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject { ["act2"] = new JsonObject { ["ClusterId"] = "act2", ["Match"] = new JsonObject { ["Path"] = "/{**catch-all}" } } },
            ["Clusters"] = new JsonObject
            {
                ["act2"] = new JsonObject
                {
                    ["Metadata"] = new JsonObject { ["Check"] = "interval=200 rise=1 fall=2 timeout=200 type=tcp" },
                    ["Destinations"] = new JsonObject { ["local"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{act2Port}" } },
                },
            },
        },
        ["Vrrp"] = new JsonObject
        {
            ["Instances"] = new JsonObject
            {
                ["VI_1"] = new JsonObject
                {
                    ["Interface"] = iface, ["VirtualRouterId"] = 61, ["Priority"] = priority, ["Version"] = 3,
                    ["AdvertIntervalSeconds"] = 0.1,
                    ["VirtualAddresses"] = new JsonArray($"{Netns.Vip}/24"),
                    ["Track"] = new JsonArray(new JsonObject { ["Condition"] = "upstream:act2", ["Weight"] = -100 },
                        new JsonObject { ["Condition"] = "listener", ["Weight"] = 0 }),
                },
            },
        },
    }.ToJsonString();

    [Fact]
    public async Task The_vip_leaves_the_node_whose_upstream_died()
    {
        using var lab = new Netns();
        var dir = Directory.CreateTempSubdirectory("shgi-vrrp-").FullName;
        var processes = new List<Process>();
        try
        {
            foreach (var (node, priority) in new[] { ("a", 200), ("b", 150) })
            {
                var conf = Path.Combine(dir, $"nginx-{node}.conf");
                await File.WriteAllTextAsync(conf, $$"""
                    worker_processes 1; daemon off; master_process off; pid {{dir}}/nginx-{{node}}.pid; error_log {{dir}}/nginx-{{node}}.log;
                    events { worker_connections 64; }
                    http { access_log off; server { listen 127.0.0.1:6868; location / { return 200 "act2 on {{node}}\n"; } } }
                    """);
                processes.Add(Start(lab.Ns(node), "nginx", "-c", conf, "-p", dir));
                var gatewayConfig = Path.Combine(dir, $"gateway-{node}.json");
                await File.WriteAllTextAsync(gatewayConfig, Config(priority, 6868, "v" + node));
                processes.Add(Start(lab.Ns(node), GatewayProcess.Executable, "run", "--config", gatewayConfig));
            }

            await Eventually.GetAsync(() => Task.FromResult((lab.HasVip("a"), lab.HasVip("b"))), v => v == (true, false), TimeSpan.FromSeconds(20), "VIP on a only");
            Assert.Contains("act2 on a", Curl(lab.Ns("b"), $"http://{Netns.Vip}:8080/"));

            // act2 on a dies: a's checker marks it down, a's priority drops to 100 < 150, b takes the VIP.
            processes[0].Kill();
            await Eventually.GetAsync(() => Task.FromResult((lab.HasVip("a"), lab.HasVip("b"))), v => v == (false, true), TimeSpan.FromSeconds(20), "VIP on b only");
            Assert.Contains("act2 on b", Curl(lab.Ns("a"), $"http://{Netns.Vip}:8080/"));
        }
        finally
        {
            foreach (var p in processes)
            {
                if (!p.HasExited) { p.Kill(entireProcessTree: true); await p.WaitForExitAsync(); }
                p.Dispose();
            }
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static Process Start(string ns, params string[] command)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command)) info.ArgumentList.Add(a);
        if (command[0] == GatewayProcess.Executable) GatewayProcess.IsolateLocalState(info, command[^1]);
        var p = Process.Start(info)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    private static string Curl(string ns, string url) => Netns.Run("ip", "netns", "exec", ns, "curl", "-s", "--max-time", "5", url);
}
