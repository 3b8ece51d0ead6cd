using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A whole HA pair as it runs in production, in network namespaces the lab creates: masters a (10.96.0.1) and b
/// (10.96.0.2) and a client c (10.96.0.3) on a bridge that lives in a fourth, hub namespace (so partitions are bridge-port
/// isolation and nothing touches the host's own network). VIP 10.96.0.100/24. Each master runs
/// <list type="bullet">
/// <item>an act2 stand-in: nginx on 0.0.0.0:6868 answering "act2 on a" (or b), with an <c>X-Via</c> header naming the
/// address the request came from, i.e. which gateway proxied it;</item>
/// <item>the real gateway: proxy on :80 balancing both masters' act2 with active checks, admin on 127.0.0.1:9145,
/// config sync on its own address (port 4507, the other node pinned) with one root, and VRRP for the VIP tracking
/// the listener (weight 0) and upstream:act2 (weight -100).</item>
/// </list>
/// The sync root has the same absolute path on both masters, as /srv/salt does: each gateway runs in its own mount
/// namespace (ip netns exec gives it one) with its node's srv directory bind-mounted at the shared path.
/// Names start with <c>shgp</c>.
/// Everything (processes, namespaces, the temp dir) goes at dispose.
/// </summary>
public sealed class PairLab : IAsyncDisposable
{
    public const string Prefix = "shgp";
    public const string Vip = "10.96.0.100";
    public const string Act2Check = "interval=500 rise=1 fall=2 timeout=300 type=tcp";
    public static readonly string[] Masters = ["a", "b"];

    private readonly ITestOutputHelper? _output;
    private IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> _environment = new Dictionary<string, IReadOnlyDictionary<string, string>>();
    private readonly List<NamespacedProcess> _processes = [];
    private readonly List<ClientLoad> _clients = [];
    private readonly Dictionary<string, NamespacedProcess> _gateways = [];
    private readonly Dictionary<string, string> _fingerprints = [];

    private PairLab(ITestOutputHelper? output)
    {
        _output = output;
        Id = Prefix + Convert.ToHexString(RandomNumberGenerator.GetBytes(3)).ToLowerInvariant();
        Dir = Directory.CreateTempSubdirectory(Id + "-").FullName;
        SharedSrv = Path.Combine(Dir, "srv");
        SharedRoot = Path.Combine(SharedSrv, "salt");
    }

    public string Id { get; }
    public string Dir { get; }

    /// <summary>The sync root as the gateways see it (the /srv/salt of this lab).</summary>
    public string SharedRoot { get; }

    /// <summary>Where each gateway sees its node's <c>srv</c> directory (the /srv of this lab); the root is not a mount
    /// point itself, so sync stages beside it (<c>srv/.saltha-sync-staging</c>) as on a real master.</summary>
    public string SharedSrv { get; }

    public string Ns(string node) => Id + node;
    public static string Dev(string node) => "v" + node;
    public static string Address(string node) => node switch { "a" => "10.96.0.1", "b" => "10.96.0.2", "c" => "10.96.0.3", _ => throw new ArgumentException(node) };
    public static int Priority(string node) => node == "a" ? 150 : 100;
    public static string Other(string node) => node == "a" ? "b" : "a";

    public string NodeDir(string node) => Path.Combine(Dir, node);
    /// <summary>The node's tree on the host, i.e. what its gateway sees at <see cref="SharedRoot"/>.</summary>
    public string Tree(string node) => Path.Combine(NodeDir(node), "srv", "salt");
    public string SyncState(string node) => Path.Combine(NodeDir(node), "sync");
    public string ConflictDir(string node) => Path.Combine(SyncState(node), "conflicts");
    public string ConfigFile(string node) => Path.Combine(NodeDir(node), "gateway.json");

    /// <summary>The gateway process currently running (or last run) on the node.</summary>
    public NamespacedProcess Gateway(string node) => _gateways[node];

    /// <summary>Builds the lab and starts both masters; returns when both gateways are ready.</summary>
    /// <param name="seed">Files (relative path, content) put into a's tree before start; they reach b by sync.</param>
    /// <param name="environment">Variables for a node's gateway, by node (e.g. NOTIFY_SOCKET).</param>
    public static async Task<PairLab> StartAsync(ITestOutputHelper? output, IReadOnlyDictionary<string, string>? seed = null,
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>? environment = null)
    {
        var lab = new PairLab(output) { _environment = environment ?? new Dictionary<string, IReadOnlyDictionary<string, string>>() };
        try
        {
            lab.CreateNetwork();
            Directory.CreateDirectory(lab.SharedSrv);
            foreach (var node in Masters)
            {
                Directory.CreateDirectory(lab.Tree(node));
                lab.StartAct2(node);
                lab._fingerprints[node] = await SyncInitAsync(lab.SyncState(node));
            }
            foreach (var (path, content) in seed ?? new Dictionary<string, string>())
            {
                var file = Path.Combine(lab.Tree("a"), path);
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                await File.WriteAllTextAsync(file, content);
            }
            foreach (var node in Masters)
            {
                await File.WriteAllTextAsync(lab.ConfigFile(node), lab.Config(node).ToJsonString(new() { WriteIndented = true }));
                var check = await GatewayProcess.RunVerbAsync("check-config", "--config", lab.ConfigFile(node));
                if (check.ExitCode != 0) throw new InvalidOperationException($"check-config {node}: {check.StdOut}{check.StdErr}");
            }
            await Task.WhenAll(Masters.Select(lab.StartGatewayAsync));
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    private void CreateNetwork()
    {
        foreach (var n in new[] { "h", "a", "b", "c" })
        {
            Netns.Run("ip", "netns", "add", Ns(n));
            Netns.Run("ip", "-n", Ns(n), "link", "set", "lo", "up");
        }
        Netns.Run("ip", "-n", Ns("h"), "link", "add", "br0", "type", "bridge");
        Netns.Run("ip", "-n", Ns("h"), "link", "set", "br0", "up");
        foreach (var n in new[] { "a", "b", "c" })
        {
            Netns.Run("ip", "-n", Ns(n), "link", "add", Dev(n), "type", "veth", "peer", "name", "h" + n, "netns", Ns("h"));
            Netns.Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "master", "br0");
            Netns.Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "up");
            Netns.Run("ip", "-n", Ns(n), "addr", "add", Address(n) + "/24", "dev", Dev(n));
            Netns.Run("ip", "-n", Ns(n), "link", "set", Dev(n), "up");
        }
    }

    private void StartAct2(string node)
    {
        var conf = Path.Combine(NodeDir(node), "nginx.conf");
        File.WriteAllText(conf, $$"""
            worker_processes 1; daemon off; master_process off;
            pid {{NodeDir(node)}}/nginx.pid; error_log {{NodeDir(node)}}/nginx-error.log;
            events { worker_connections 256; }
            http {
              access_log off;
              client_body_temp_path {{NodeDir(node)}}/nginx-body;
              server { listen 0.0.0.0:6868; location / { add_header X-Via $remote_addr always; return 200 "act2 on {{node}}\n"; } }
            }
            """);
        _processes.Add(NamespacedProcess.Start(Ns(node), "act2 " + node, "nginx", "-c", conf, "-p", NodeDir(node)));
    }

    private static async Task<string> SyncInitAsync(string stateDir)
    {
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("sync", "init", "--state-dir", stateDir);
        if (code != 0) throw new InvalidOperationException($"sync init --state-dir {stateDir}: exit {code}\n{stdout}{stderr}");
        var fingerprint = stdout.Trim().Split('\n')[^1].Trim();
        if (fingerprint.Length != 64) throw new InvalidOperationException($"sync init printed no fingerprint on its last line:\n{stdout}");
        return fingerprint;
    }

    public JsonObject Config(string node)
    {
        var destinations = new JsonObject();
        foreach (var m in Masters) destinations[$"{Address(m)}:6868"] = new JsonObject { ["Address"] = $"http://{Address(m)}:6868" };
        var gateway = new JsonObject
        {
            ["Listen"] = new JsonArray("http://*:80"),
            ["Admin"] = new JsonObject { ["Listen"] = "http://127.0.0.1:9145" },
            ["AccessLog"] = new JsonObject { ["Format"] = "off" },
        };
        // Both masters share the host's filesystem: each needs its own state directory and control socket (the
        // defaults, /var/lib/salt-ha-gateway and /run/salt-ha-gateway/control.sock, would be shared by both).
        gateway["StateDirectory"] = Path.Combine(NodeDir(node), "state");
        gateway["Control"] = new JsonObject { ["Socket"] = Path.Combine(NodeDir(node), "control.sock") };
        return new JsonObject
        {
            ["Gateway"] = gateway,
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject
                {
                    ["act2"] = new JsonObject { ["ClusterId"] = "act2", ["Match"] = new JsonObject { ["Path"] = "/{**catch-all}" } },
                },
                ["Clusters"] = new JsonObject
                {
                    ["act2"] = new JsonObject
                    {
                        ["Metadata"] = new JsonObject { ["Check"] = Act2Check },
                        ["Destinations"] = destinations,
                    },
                },
            },
            ["ConfigSync"] = new JsonObject
            {
                ["Enabled"] = true,
                ["Listen"] = $"https://{Address(node)}:4507",
                ["StateDirectory"] = SyncState(node),
                ["Roots"] = new JsonArray(SharedRoot),
                ["Peers"] = new JsonArray(new JsonObject
                {
                    ["Url"] = $"https://{Address(Other(node))}:4507",
                    ["Fingerprint"] = _fingerprints[Other(node)],
                }),
            },
            ["Vrrp"] = new JsonObject
            {
                ["Instances"] = new JsonObject
                {
                    ["VI_1"] = new JsonObject
                    {
                        ["Interface"] = Dev(node),
                        ["VirtualRouterId"] = 52,
                        ["Priority"] = Priority(node),
                        ["Version"] = 3,
                        ["AdvertIntervalSeconds"] = 0.1,
                        ["VirtualAddresses"] = new JsonArray($"{Vip}/24"),
                        ["Track"] = new JsonArray(
                            new JsonObject { ["Condition"] = "listener", ["Weight"] = 0 },
                            new JsonObject { ["Condition"] = "upstream:act2", ["Weight"] = -100 }),
                    },
                },
            },
        };
    }

    /// <summary>Starts (or restarts) the node's gateway and waits for /readyz.</summary>
    public async Task<NamespacedProcess> StartGatewayAsync(string node)
    {
        if (_gateways.TryGetValue(node, out var previous) && !previous.HasExited)
            throw new InvalidOperationException($"gateway {node} is still running");
        var environment = _environment.TryGetValue(node, out var variables) ? variables.Select(v => $"{v.Key}={v.Value}") : [];
        var process = NamespacedProcess.Start(Ns(node), "gateway " + node,
            ["sh", "-c", "mount --bind \"$1\" \"$2\" && shift 2 && exec \"$@\"", "sh", Path.GetDirectoryName(Tree(node))!, SharedSrv,
            "env", .. environment, GatewayProcess.Executable, "run", "--config", ConfigFile(node)]);
        _processes.Add(process);
        _gateways[node] = process;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"gateway {node} exited with {process.ExitCode}\n{process}");
            if (Curl(node, "http://127.0.0.1:9145/readyz", writeOut: "%{http_code}", maxTime: 2) == "200") break;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gateway {node} not ready after 60 s\n{process}");
            await Task.Delay(200);
        }
        Log($"gateway {node} ready (pid {process.Pid})");
        return process;
    }

    public bool HasVip(string node) =>
        Netns.Run("ip", "-n", Ns(node), "-4", "-o", "addr", "show", "dev", Dev(node)).Contains($" {Vip}/", StringComparison.Ordinal);

    public (bool A, bool B) VipHolders() => (HasVip("a"), HasVip("b"));

    public Task WaitForVipAsync(bool a, bool b, string what, TimeSpan? timeout = null) =>
        WaitAsync(() => VipHolders() == (a, b), timeout ?? TimeSpan.FromSeconds(30),
            () => $"{what}; VIP holders now (a, b) = {VipHolders()}");

    /// <summary>Polls until <paramref name="done"/>; on timeout fails with <paramref name="what"/> and both gateways' logs.</summary>
    public async Task WaitAsync(Func<bool> done, TimeSpan timeout, Func<string> what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!done())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gave up after {timeout.TotalSeconds:0} s: {what()}\n{Diagnostics()}");
            await Task.Delay(100);
        }
    }

    /// <summary>curl inside a namespace: the body, or what <paramref name="writeOut"/> asks for. Never throws.</summary>
    public string Curl(string node, string url, string? writeOut = null, double maxTime = 5)
    {
        var args = new List<string> { "ip", "netns", "exec", Ns(node), "curl", "-s", "--max-time", maxTime.ToString(CultureInfo.InvariantCulture) };
        if (writeOut is not null) args.AddRange(["-o", "/dev/null", "-w", writeOut]);
        args.Add(url);
        return Netns.Run([.. args]);
    }

    /// <summary>One request from the client to the VIP: (HTTP status, X-Via).</summary>
    public (string Status, string Via) ClientGet()
    {
        var parts = Curl("c", $"http://{Vip}/", "%{http_code} %header{x-via}", maxTime: 2).Split(' ', 2);
        return (parts[0], parts.Length > 1 ? parts[1].Trim() : "");
    }

    /// <summary>The client's load loop against the VIP; stops by itself after <paramref name="maxDuration"/>.</summary>
    public ClientLoad StartClientLoad(TimeSpan maxDuration)
    {
        var client = ClientLoad.Start(Ns("c"), $"http://{Vip}/", Path.Combine(Dir, $"client-{_clients.Count}.log"), maxDuration);
        _clients.Add(client);
        Log($"client load started ({client.File})");
        return client;
    }

    /// <summary>Bridge-port isolation of a's and b's ports: they stop hearing each other (adverts, sync, health
    /// checks of the other's act2) while both still reach the client.</summary>
    public void Partition()
    {
        foreach (var n in Masters) Netns.Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "type", "bridge_slave", "isolated", "on");
        Log("partitioned a | b");
    }

    public void Heal()
    {
        foreach (var n in Masters) Netns.Run("ip", "-n", Ns("h"), "link", "set", "h" + n, "type", "bridge_slave", "isolated", "off");
        Log("healed a | b");
    }

    public void Log(string message) => Write($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} {message}");

    private void Write(string text)
    {
        try
        {
            _output?.WriteLine(text);
        }
        catch (InvalidOperationException)
        {
            // no test is running any more
        }
    }

    /// <summary>Every gateway's output (the current and earlier runs), for failure messages.</summary>
    public string Diagnostics(int tail = 300) =>
        string.Join('\n', _processes.Where(p => p.Label.StartsWith("gateway", StringComparison.Ordinal))
            .Select(p => $"--- {p.Label} (pid {p.Pid}, started {p.Started:HH:mm:ss.fff}) ---\n" + string.Join('\n', p.Lines.TakeLast(tail))));

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) await c.DisposeAsync();
        Write(Diagnostics(tail: 1000));
        foreach (var p in Enumerable.Reverse(_processes)) await p.DisposeAsync();
        foreach (var n in new[] { "a", "b", "c", "h" })
        {
            try { Netns.Run("ip", "netns", "del", Ns(n)); } catch (InvalidOperationException) { }
        }
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Removes labs left by an interrupted run. Only labs of this class: shgp + 6 hex + a node letter, with
    /// the lab's temp dir still there (bench/pair also uses the shgp prefix, with its own naming); only when older
    /// than ten minutes (every test here is bounded well below that) and with no process left in them, so a lab
    /// of a run going on in parallel is never touched.</summary>
    public static void DeleteLeftovers()
    {
        const string runDir = "/run/netns";
        if (!Directory.Exists(runDir)) return;
        var labs = Directory.GetFiles(runDir, Prefix + "*").Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length == Prefix.Length + 7 && "abch".Contains(n[^1]) && n[Prefix.Length..^1].All(Uri.IsHexDigit))
            .GroupBy(n => n[..^1]);
        foreach (var lab in labs)
        {
            var dirs = Directory.GetDirectories(Path.GetTempPath(), lab.Key + "-*");
            bool old = lab.All(n => File.GetLastWriteTimeUtc(Path.Combine(runDir, n)) < DateTime.UtcNow - TimeSpan.FromMinutes(10));
            bool empty = lab.All(n => Netns.Run("ip", "netns", "pids", n).Trim().Length == 0);
            if (dirs.Length == 0 || !old || !empty) continue;
            foreach (var n in lab) Netns.Run("ip", "netns", "del", n);
            foreach (var dir in dirs)
            {
                try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
    }
}
