using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>Two real gateways with config sync on loopback: identities from <c>sync init</c>, pinned fingerprints,
/// a file written on one master appears on the other, and /sync/status and check-config see the section.</summary>
public sealed class ConfigSyncTests
{
    private static async Task<string> InitAsync(string stateDir)
    {
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("sync", "init", "--state-dir", stateDir);
        Assert.True(code == 0, stderr);
        var fingerprint = stdout.Trim().Split('\n')[^1].Trim();
        Assert.Matches("^[0-9a-f]{64}$", fingerprint);
        return fingerprint;
    }

    [Fact]
    public async Task A_file_written_on_one_master_appears_on_the_other()
    {
        var dir = Directory.CreateTempSubdirectory("shgs-it-").FullName;
        try
        {
            var (stateA, stateB) = (Path.Combine(dir, "state-a"), Path.Combine(dir, "state-b"));
            // Salt's roots have the same absolute path on every master: each node runs in its own mount namespace
            // with its own tree bind-mounted at the shared path.
            var shared = Path.Combine(dir, "srv-salt");
            var (rootA, rootB) = (Path.Combine(dir, "a"), Path.Combine(dir, "b"));
            Directory.CreateDirectory(shared);
            Directory.CreateDirectory(rootA);
            Directory.CreateDirectory(rootB);
            string[] InNamespace(string tree) => ["unshare", "-m", "--propagation", "private", "sh", "-c", $"mount --bind '{tree}' '{shared}' && exec \"$0\" \"$@\""];
            await File.WriteAllTextAsync(Path.Combine(rootA, "top.sls"), "base:\n  '*':\n    - common\n");
            await File.WriteAllTextAsync(Path.Combine(rootB, "top.sls"), "base:\n  '*':\n    - common\n");
            var (fpA, fpB) = (await InitAsync(stateA), await InitAsync(stateB));
            var (peerA, peerB) = (TestPorts.Free(), TestPorts.Free());
            await using var echo = await EchoUpstream.StartAsync();

            JsonObject Config(int p, int a, string state, int listen, int peer, string peerFingerprint)
            {
                var config = GatewayProcess.Config(p, a, [echo.Address]);
                config["ConfigSync"] = new JsonObject
                {
                    ["Enabled"] = true,
                    ["Listen"] = $"https://127.0.0.1:{listen}",
                    ["StateDirectory"] = state,
                    ["Roots"] = new JsonArray(shared),
                    ["Peers"] = new JsonArray(new JsonObject { ["Url"] = $"https://127.0.0.1:{peer}", ["Fingerprint"] = peerFingerprint }),
                };
                return config;
            }

            await using var a = await GatewayProcess.StartAsync((p, ad) => Config(p, ad, stateA, peerA, peerB, fpB).ToJsonString(),
                TestPorts.Free(), TestPorts.Free(), "run", [], InNamespace(rootA));
            await using var b = await GatewayProcess.StartAsync((p, ad) => Config(p, ad, stateB, peerB, peerA, fpA).ToJsonString(),
                TestPorts.Free(), TestPorts.Free(), "run", [], InNamespace(rootB));

            var check = await GatewayProcess.RunVerbAsync("check-config", "--config", a.ConfigFile);
            Assert.True(check.ExitCode == 0, check.StdErr);

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
            using var status = await http.GetAsync($"http://127.0.0.1:{a.AdminPort}/sync/status");
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            using var doc = JsonDocument.Parse(await status.Content.ReadAsStringAsync());
            Assert.Contains(shared, doc.RootElement.ToString());
            Assert.Contains("saltha_sync_", await a.MetricsAsync());

            // The conflict list is on the admin listener; resolving (it rewrites master keys everywhere) only on the
            // root-only control socket: over TCP, admin or proxy port, the endpoint does not exist.
            using var conflicts = await http.GetAsync($"http://127.0.0.1:{a.AdminPort}/sync/conflicts");
            Assert.Equal(HttpStatusCode.OK, conflicts.StatusCode);
            Assert.Equal(JsonValueKind.Array, JsonDocument.Parse(await conflicts.Content.ReadAsStringAsync()).RootElement.ValueKind);
            using var overAdmin = await http.PostAsync($"http://127.0.0.1:{a.AdminPort}/sync/conflicts/1/resolve?keep=local", null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, overAdmin.StatusCode);
            Assert.DoesNotContain("no conflict with id", await overAdmin.Content.ReadAsStringAsync());
            using var onProxy = await http.PostAsync($"http://127.0.0.1:{a.Port}/sync/conflicts/1/resolve?keep=local", null);
            Assert.DoesNotContain("no conflict with id", await onProxy.Content.ReadAsStringAsync());
            var resolve = await GatewayProcess.RunVerbAsync("sync", "resolve", "--id", "1", "--keep", "local", "--config", a.ConfigFile);
            Assert.Equal(1, resolve.ExitCode);
            Assert.Contains("no conflict with id 1", resolve.StdErr);
            var cli = await GatewayProcess.RunVerbAsync("sync", "conflicts", "--admin", $"http://127.0.0.1:{a.AdminPort}");
            Assert.True(cli.ExitCode == 0, cli.StdErr);
            Assert.StartsWith("ID\tSTATE", cli.StdOut);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    [Fact]
    public async Task A_sync_section_without_identity_is_reported_by_check_config()
    {
        var dir = Directory.CreateTempSubdirectory("shgs-it-").FullName;
        var config = GatewayProcess.Config(TestPorts.Free(), TestPorts.Free(), ["http://127.0.0.1:9"]);
        config["ConfigSync"] = new JsonObject
        {
            ["Enabled"] = true,
            ["Listen"] = "https://127.0.0.1:4507",
            ["StateDirectory"] = Path.Combine(dir, "state"),
            ["Roots"] = new JsonArray(dir),
            ["Peers"] = new JsonArray(new JsonObject { ["Url"] = "https://127.0.0.1:4508", ["Fingerprint"] = "xyz" }),
        };
        var file = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", file);
        Assert.Equal(1, code);
        Assert.Contains("ConfigSync:Peers:0:Fingerprint", stderr);
        var run = await GatewayProcess.RunVerbAsync("run", "--config", file);
        Assert.Equal(1, run.ExitCode);
        Assert.DoesNotContain("   at ", run.StdErr);
    }
}
