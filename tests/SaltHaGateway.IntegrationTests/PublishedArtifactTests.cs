using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// The release artifact (<c>dotnet publish src/SaltHaGateway -c Release -o artifacts/aot</c>, NativeAOT), run as a
/// master without .NET runs it: with an empty environment (no <c>PATH</c>, no <c>DOTNET_*</c>). It proxies, serves
/// its admin endpoints, and its verbs work: check-config, both importers, VRRP validation, and config sync between two
/// published gateways (SQLite, mutual TLS). tests/run.sh publishes the artifact before the tests run;
/// <c>SALTHA_PUBLISHED_GATEWAY</c> names another copy.
/// </summary>
public sealed class PublishedArtifactTests
{
    private static string Binary
    {
        get
        {
            var path = Environment.GetEnvironmentVariable("SALTHA_PUBLISHED_GATEWAY") is { Length: > 0 } p ? p : RepositoryFiles.Path("artifacts/aot/salt-ha-gateway");
            if (!File.Exists(path))
                throw new InvalidOperationException($"{path} is missing: tests/run.sh publishes it (dotnet publish src/SaltHaGateway -c Release -o artifacts/aot)");
            return path;
        }
    }

    private static ProcessStartInfo EmptyEnvironment(IEnumerable<string> args, string[]? wrapper = null)
    {
        var info = new ProcessStartInfo(wrapper?[0] ?? Binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.Environment.Clear();
        foreach (var w in wrapper?.Skip(1) ?? []) info.ArgumentList.Add(w);
        if (wrapper is not null) info.ArgumentList.Add(Binary);
        foreach (var a in args) info.ArgumentList.Add(a);
        return info;
    }

    private static async Task<(int ExitCode, string StdOut, string StdErr)> RunAsync(params string[] args)
    {
        using var process = Process.Start(EmptyEnvironment(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A running published gateway; its output is collected for failure messages.</summary>
    private sealed class Running : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

        public Running(Process process)
        {
            _process = process;
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _output.Enqueue(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public string Output => string.Join('\n', _output);

        public static async Task<Running> StartAsync(string config, int adminPort, string[]? wrapper = null)
        {
            var running = new Running(Process.Start(EmptyEnvironment(["run", "--config", config], wrapper))!);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (true)
            {
                if (running._process.HasExited) throw new InvalidOperationException($"gateway exited with {running._process.ExitCode}:\n{running.Output}");
                try
                {
                    using var ready = await http.GetAsync($"http://127.0.0.1:{adminPort}/readyz");
                    if (ready.IsSuccessStatusCode) return running;
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) { }
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"gateway not ready:\n{running.Output}");
                await Task.Delay(100);
            }
        }

        public async Task<int> TerminateAsync()
        {
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(cts.Token);
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
    }

    /// <summary>A config on loopback whose control socket and state live in <paramref name="dir"/>.</summary>
    private static JsonObject Config(string dir, int port, int adminPort, string upstream)
    {
        var config = GatewayProcess.Config(port, adminPort, [upstream],
            clusterMetadata: new JsonObject { ["Check"] = "interval=1000 rise=1 fall=2 timeout=1000 type=tcp" });
        var gateway = config["Gateway"]!.AsObject();
        gateway["Control"] = new JsonObject { ["Socket"] = Path.Combine(dir, "control.sock") };
        gateway["StateDirectory"] = Path.Combine(dir, "state");
        // An enum of YARP's schema, read by name (the config's JSON reader is generated at compile time).
        config["ReverseProxy"]!["Clusters"]!["act2"]!.AsObject()["HttpRequest"] = new JsonObject { ["VersionPolicy"] = "RequestVersionOrLower" };
        return config;
    }

    [Fact]
    public async Task The_artifact_is_one_native_executable()
    {
        var bytes = await File.ReadAllBytesAsync(Binary);
        Assert.Equal("\u007fELF"u8.ToArray(), bytes[..4]);
        var dir = Path.GetDirectoryName(Binary)!;
        // No managed assemblies and no runtime beside it: nothing for a dotnet host to load.
        Assert.Empty(Directory.GetFiles(dir, "*.dll"));
        Assert.False(File.Exists(Path.Combine(dir, "libcoreclr.so")));
        Assert.False(File.Exists(Path.Combine(dir, "salt-ha-gateway.runtimeconfig.json")));
    }

    [Fact]
    public async Task Proxies_and_serves_the_admin_endpoints_with_an_empty_environment()
    {
        var dir = Directory.CreateTempSubdirectory("shg-aot-").FullName;
        try
        {
            await using var echo = await EchoUpstream.StartAsync();
            var (port, admin) = (TestPorts.Free(), TestPorts.Free());
            var file = Path.Combine(dir, "gateway.json");
            await File.WriteAllTextAsync(file, Config(dir, port, admin, echo.Address).ToJsonString());
            await using var gateway = await Running.StartAsync(file, admin);
            using var http = new HttpClient();

            using (var response = await http.GetAsync($"http://127.0.0.1:{port}/minion/keys?x=1"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                var echoed = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
                Assert.Equal("/minion/keys?x=1", (string?)echoed["path"]);
                Assert.Equal("127.0.0.1", (string?)echoed["headers"]!["x-real-ip"]);
            }
            Assert.Equal(1, echo.Requests);

            var metrics = await http.GetStringAsync($"http://127.0.0.1:{admin}/metrics");
            Assert.Contains("saltha_proxy_requests_total{", metrics);
            Assert.Contains("saltha_upstream_up{", metrics);

            var status = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/status?format=json"))!;
            var server = status["servers"]!["server"]!.AsArray().Single()!;
            Assert.Equal("up", (string?)server["status"]);

            var ready = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/readyz"))!;
            Assert.Equal("Healthy", (string?)ready["status"]);
            Assert.Equal(1, (long?)ready["checks"]!["ready"]!["config_generation"]);

            Assert.Empty(JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/vrrp/status"))!["instances"]!.AsArray());
            Assert.False((bool?)JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/sync/status"))!["enabled"]);
            Assert.False((bool?)JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/maintenance"))!["on"]);
            var pair = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/pair/status"))!;
            Assert.Equal("act2", (string?)pair["local"]!["upstreams"]![0]!["upstream"]);
            Assert.NotNull(JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/sticky/status"))!["upstreams"]);
            Assert.NotNull(JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{admin}/ui/summary"))!["pair"]);

            // The status verb reads /pair/status through the same generated JSON.
            var verb = await RunAsync("status", "--config", file);
            Assert.True(verb.ExitCode == 0, verb.StdErr);
            Assert.Contains("upstream  act2", verb.StdOut);

            Assert.Equal(0, await gateway.TerminateAsync());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Check_config_and_the_importers_work_with_an_empty_environment()
    {
        var dir = Directory.CreateTempSubdirectory("shg-aot-").FullName;
        try
        {
            var good = Path.Combine(dir, "good.json");
            await File.WriteAllTextAsync(good, Config(dir, 8080, 9145, "http://127.0.0.1:6868").ToJsonString());
            var ok = await RunAsync("check-config", "--config", good);
            Assert.True(ok.ExitCode == 0, ok.StdErr);
            Assert.Contains("test is successful", ok.StdOut);

            // Bad input is named by JSON path and reason, in YARP's schema, its enums and the Vrrp section alike.
            async Task<string> RefusedAsync(string name, Action<JsonObject> spoil)
            {
                var bad = Config(dir, 8080, 9145, "http://127.0.0.1:6868");
                spoil(bad);
                var file = Path.Combine(dir, name + ".json");
                await File.WriteAllTextAsync(file, bad.ToJsonString());
                var failed = await RunAsync("check-config", "--config", file);
                Assert.True(failed.ExitCode == 1, failed.StdOut + failed.StdErr);
                return failed.StdErr;
            }
            Assert.Contains("ReverseProxy.Clusters.act2.HttpRequest.VersionPolicy",
                await RefusedAsync("enum", c => c["ReverseProxy"]!["Clusters"]!["act2"]!["HttpRequest"]!["VersionPolicy"] = "Sometimes"));
            Assert.Contains("ReverseProxy.Routes.act2.Mtach",
                await RefusedAsync("key", c => c["ReverseProxy"]!["Routes"]!["act2"]!.AsObject()["Mtach"] = new JsonObject()));
            Assert.Contains("VirtualRouterId", await RefusedAsync("vrrp", c => c["Vrrp"] = new JsonObject
            {
                ["Instances"] = new JsonObject
                {
                    ["VI_1"] = new JsonObject { ["Interface"] = "lo", ["VirtualRouterId"] = 300, ["Priority"] = 150, ["VirtualAddresses"] = new JsonArray("10.96.0.100/24") },
                },
            }));
            var unknown = await RefusedAsync("vrrp-key", c => c["Vrrp"] = new JsonObject
            {
                ["Instances"] = new JsonObject
                {
                    ["VI_1"] = new JsonObject { ["Interface"] = "lo", ["VirtualRouterId"] = 51, ["Prority"] = 150, ["VirtualAddresses"] = new JsonArray("10.96.0.100/24") },
                },
            });
            Assert.Contains("Vrrp:Instances:VI_1", unknown);
            Assert.Contains("Prority", unknown);

            var nginx = Path.Combine(dir, "nginx.conf");
            await File.WriteAllTextAsync(nginx, """
                http {
                    upstream act2 {
                        ip_hash;
                        server 127.0.0.1:6868 max_fails=2 fail_timeout=5s;
                        server 127.0.0.2:6868;
                        check interval=3000 rise=2 fall=5 timeout=1000 type=tcp;
                    }
                    server {
                        listen 80;
                        location / { proxy_pass http://act2; proxy_set_header Host $host:$server_port; }
                    }
                }
                """);
            var imported = Path.Combine(dir, "imported.json");
            var import = await RunAsync("import-nginx", nginx, "-o", imported);
            Assert.True(import.ExitCode == 0, import.StdErr);
            var importedConfig = JsonNode.Parse(await File.ReadAllTextAsync(imported), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip })!;
            Assert.Equal("ip_hash", (string?)importedConfig["ReverseProxy"]!["Clusters"]!["act2"]!["Metadata"]!["Balance"]);

            var keepalived = Path.Combine(dir, "keepalived.conf");
            await File.WriteAllTextAsync(keepalived, """
                vrrp_instance VI_1 {
                    state BACKUP
                    interface eth0
                    virtual_router_id 51
                @salt1    priority 150
                @salt2    priority 100
                    advert_int 1
                    authentication {
                        auth_type PASS
                        auth_pass secret12
                    }
                    virtual_ipaddress {
                        10.96.0.100/24
                    }
                }
                """);
            var vrrp = await RunAsync("import-keepalived", keepalived, "--config-id", "salt2");
            Assert.True(vrrp.ExitCode == 0, vrrp.StdErr);
            Assert.Contains("config id 'salt2': 1 conditional line(s) kept, 1 skipped", vrrp.StdErr, StringComparison.Ordinal);
            var section = JsonNode.Parse(vrrp.StdOut)!["Vrrp"]!["Instances"]!["VI_1"]!;
            Assert.Equal(51, (int?)section["VirtualRouterId"]);
            Assert.Equal(100, (int?)section["Priority"]);
            Assert.Equal("10.96.0.100/24", (string?)section["VirtualAddresses"]![0]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Two_published_gateways_sync_a_file_with_an_empty_environment()
    {
        var dir = Directory.CreateTempSubdirectory("shg-aot-sync-").FullName;
        try
        {
            async Task<string> InitAsync(string stateDir)
            {
                var (code, stdout, stderr) = await RunAsync("sync", "init", "--state-dir", stateDir);
                Assert.True(code == 0, stderr);
                var fingerprint = stdout.Trim().Split('\n')[^1].Trim();
                Assert.Matches("^[0-9a-f]{64}$", fingerprint);
                return fingerprint;
            }
            // The same absolute root on both nodes: each runs in a mount namespace with its own tree bound there.
            var shared = Path.Combine(dir, "srv-salt");
            var (rootA, rootB) = (Path.Combine(dir, "a"), Path.Combine(dir, "b"));
            foreach (var d in new[] { shared, rootA, rootB }) Directory.CreateDirectory(d);
            string[] InNamespace(string tree) =>
                ["/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", $"/usr/bin/mount --bind '{tree}' '{shared}' && exec \"$0\" \"$@\""];
            var (stateA, stateB) = (Path.Combine(dir, "state-a"), Path.Combine(dir, "state-b"));
            var (fpA, fpB) = (await InitAsync(stateA), await InitAsync(stateB));
            var (peerA, peerB) = (TestPorts.Free(), TestPorts.Free());
            await using var echo = await EchoUpstream.StartAsync();

            async Task<(string File, int Admin)> WriteConfig(string name, string state, int listen, int peer, string fingerprint)
            {
                var node = Directory.CreateDirectory(Path.Combine(dir, "node-" + name)).FullName;
                var admin = TestPorts.Free();
                var config = Config(node, TestPorts.Free(), admin, echo.Address);
                config["ConfigSync"] = new JsonObject
                {
                    ["Enabled"] = true,
                    ["Listen"] = $"https://127.0.0.1:{listen}",
                    ["StateDirectory"] = state,
                    ["Roots"] = new JsonArray(shared),
                    ["Peers"] = new JsonArray(new JsonObject { ["Url"] = $"https://127.0.0.1:{peer}", ["Fingerprint"] = fingerprint }),
                };
                var file = Path.Combine(node, "gateway.json");
                await File.WriteAllTextAsync(file, config.ToJsonString());
                return (file, admin);
            }
            var (fileA, adminA) = await WriteConfig("a", stateA, peerA, peerB, fpB);
            var (fileB, adminB) = await WriteConfig("b", stateB, peerB, peerA, fpA);
            await using var a = await Running.StartAsync(fileA, adminA, InNamespace(rootA));
            await using var b = await Running.StartAsync(fileB, adminB, InNamespace(rootB));

            Directory.CreateDirectory(Path.Combine(rootA, "common"));
            await File.WriteAllTextAsync(Path.Combine(rootA, "common", "init.sls"), "ntp:\n  pkg.installed: []\n");
            try
            {
                await Eventually.GetAsync(() => Task.FromResult(File.Exists(Path.Combine(rootB, "common", "init.sls"))), e => e,
                    TimeSpan.FromSeconds(30), "file replicated to b");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n--- a ---\n{a.Output}\n--- b ---\n{b.Output}");
            }
            Assert.Equal("ntp:\n  pkg.installed: []\n", await File.ReadAllTextAsync(Path.Combine(rootB, "common", "init.sls")));

            using var http = new HttpClient();
            var status = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{adminA}/sync/status"))!;
            Assert.True((bool?)status["enabled"]);
            Assert.Equal(fpA, (string?)status["fingerprint"]);
            var conflicts = await RunAsync("sync", "conflicts", "--admin", $"http://127.0.0.1:{adminA}");
            Assert.True(conflicts.ExitCode == 0, conflicts.StdErr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
