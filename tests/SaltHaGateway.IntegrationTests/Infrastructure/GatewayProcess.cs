using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>The real <c>salt-ha-gateway</c> executable, run on loopback ports with a config file in a temp dir.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private GatewayProcess(Process process, string configFile, int port, int adminPort)
    {
        _process = process;
        ConfigFile = configFile;
        Port = port;
        AdminPort = adminPort;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string ConfigFile { get; }
    public int Port { get; }
    public int AdminPort { get; }
    public Uri Url => new($"http://127.0.0.1:{Port}/");
    public string Output => string.Join('\n', _output);
    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Sends SIGTERM (what systemd stops a service with) and waits for the exit; returns the exit code.</summary>
    public async Task<int> TerminateAsync()
    {
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>Sends SIGHUP: a reload, as for nginx.</summary>
    public async Task HangUpAsync()
    {
        using var kill = Process.Start("kill", ["-HUP", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        await kill.WaitForExitAsync();
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "salt-ha-gateway");

    /// <summary>A minimal gateway config: one route to one cluster with the given destinations.</summary>
    public static JsonObject Config(int port, int adminPort, IEnumerable<string> destinations, JsonObject? clusterMetadata = null, JsonObject? routeMetadata = null)
    {
        var dests = new JsonObject();
        foreach (var d in destinations) dests[new Uri(d).Authority] = new JsonObject { ["Address"] = d };
        var route = new JsonObject { ["ClusterId"] = "act2", ["Match"] = new JsonObject { ["Path"] = "/{**catch-all}" } };
        if (routeMetadata is not null) route["Metadata"] = routeMetadata;
        var cluster = new JsonObject { ["Destinations"] = dests };
        if (clusterMetadata is not null) cluster["Metadata"] = clusterMetadata;
        return new JsonObject
        {
            ["Gateway"] = new JsonObject
            {
                ["Listen"] = new JsonArray($"http://127.0.0.1:{port}"),
                ["Admin"] = new JsonObject { ["Listen"] = $"http://127.0.0.1:{adminPort}" },
                ["AccessLog"] = new JsonObject { ["Format"] = "combined" },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["act2"] = route },
                ["Clusters"] = new JsonObject { ["act2"] = cluster },
            },
        };
    }

    public static Task<GatewayProcess> StartAsync(Func<int, int, JsonObject> config) =>
        StartAsync((p, a) => config(p, a).ToJsonString(new() { WriteIndented = true }));

    public static Task<GatewayProcess> StartAsync(Func<int, int, string> configText, string verb = "run", params string[] extraArgs) =>
        StartAsync(configText, TestPorts.Free(), TestPorts.Free(), verb, extraArgs);

    /// <param name="port">The proxy port the config is given; <paramref name="adminPort"/> is where readiness is polled.</param>
    public static Task<GatewayProcess> StartAsync(Func<int, int, string> configText, int port, int adminPort, string verb, params string[] extraArgs) =>
        StartAsync(configText, port, adminPort, verb, extraArgs, wrapper: null);

    /// <param name="wrapper">A command the gateway is started under, e.g. unshare for a mount namespace.</param>
    /// <param name="configFile">An existing config file to run again (a restart); null writes a new one.</param>
    /// <param name="environment">Variables set for the gateway in addition to the test's own.</param>
    public static async Task<GatewayProcess> StartAsync(Func<int, int, string> configText, int port, int adminPort, string verb, string[] extraArgs, string[]? wrapper,
        string? configFile = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var file = configFile;
        if (file is null)
        {
            file = Path.Combine(Directory.CreateTempSubdirectory("shg-it-").FullName, "gateway.json");
            await File.WriteAllTextAsync(file, configText(port, adminPort));
        }
        var process = Start(verb, ["--config", file, .. extraArgs], wrapper, environment);
        var gateway = new GatewayProcess(process, file, port, adminPort);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"gateway exited with {process.ExitCode}:\n{gateway.Output}");
            try
            {
                using var ready = await http.GetAsync($"http://127.0.0.1:{adminPort}/readyz");
                if (ready.IsSuccessStatusCode) return gateway;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"gateway not ready:\n{gateway.Output}");
            await Task.Delay(100);
        }
    }

    public static Process Start(string verb, IEnumerable<string> args, string[]? wrapper = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(wrapper?[0] ?? Executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) info.Environment[name] = value;
        if (wrapper is not null)
        {
            foreach (var w in wrapper.Skip(1)) info.ArgumentList.Add(w);
            info.ArgumentList.Add(Executable);
        }
        if (verb.Length > 0) info.ArgumentList.Add(verb);
        foreach (var a in args) info.ArgumentList.Add(a);
        var list = args.ToList();
        var config = list.IndexOf("--config") is var i and >= 0 && i + 1 < list.Count ? list[i + 1] : null;
        IsolateLocalState(info, config);
        return Process.Start(info)!;
    }

    /// <summary>
    /// Gives each gateway a control socket and state directory of its own (the defaults under /run and /var/lib are
    /// one per machine, and tests run several gateways at once). Config files that set them explicitly still win
    /// only where the environment does not. With a config file the paths live beside it, so a verb run with the same
    /// <c>--config</c> finds the gateway's control socket.
    /// </summary>
    public static void IsolateLocalState(ProcessStartInfo info, string? configFile = null)
    {
        if (info.Environment.ContainsKey("Gateway__Control__Socket")) return;
        var dir = configFile is null
            ? Directory.CreateTempSubdirectory("shg-state-").FullName
            : Directory.CreateDirectory(Path.GetFullPath(configFile) + ".local").FullName;
        info.Environment["Gateway__Control__Socket"] = Path.Combine(dir, "control.sock");
        info.Environment["Gateway__StateDirectory"] = dir;
    }

    /// <summary>Runs a verb to completion and returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string StdOut, string StdErr)> RunVerbAsync(params string[] args)
    {
        using var process = Start("", args);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{AdminPort}/metrics");
    }

    /// <summary>The value of one metric series, or 0 when it is not there.</summary>
    public async Task<double> MetricAsync(string series)
    {
        var text = await MetricsAsync();
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task WriteConfigAsync(string text)
    {
        // Write beside and rename, as editors do, so the gateway never reads half a file here.
        var temp = ConfigFile + ".tmp";
        await File.WriteAllTextAsync(temp, text);
        File.Move(temp, ConfigFile, overwrite: true);
    }

    public ValueTask DisposeAsync() => DisposeAsync(keepFiles: false);

    /// <param name="keepFiles">Keep the config and state (for a restart with the same files).</param>
    public async ValueTask DisposeAsync(bool keepFiles)
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        if (keepFiles) return;
        try { Directory.Delete(Path.GetDirectoryName(ConfigFile)!, recursive: true); } catch (IOException) { }
    }
}
