using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// config/prometheus/salt-ha-gateway.rules.yml and config/grafana/salt-ha-gateway.json against promtool, a real
/// Prometheus server and a real gateway with most of its subsystems on: an https listener, health checks, a sticky
/// zone and config sync (its peer absent).
/// </summary>
public sealed partial class MonitoringTests : IAsyncLifetime
{
    private const string Promtool = "/usr/bin/promtool";
    private static readonly string Rules = RepositoryFiles.Path("config/prometheus/salt-ha-gateway.rules.yml");
    private static readonly string Dashboard = RepositoryFiles.Path("config/grafana/salt-ha-gateway.json");

    private readonly string _dir = Directory.CreateTempSubdirectory("shg-monitoring-").FullName;
    private NginxUpstream _upstream = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _upstream = await NginxUpstream.StartAsync("A");
        var (certificate, key) = (Path.Combine(_dir, "listener.pem"), Path.Combine(_dir, "listener.key"));
        TestCertificate.Write(certificate, key, "salt.example.test");
        var (stateA, stateB, root) = (Path.Combine(_dir, "state-a"), Path.Combine(_dir, "state-b"), Directory.CreateDirectory(Path.Combine(_dir, "srv-salt")).FullName);
        await SyncInitAsync(stateA);
        var peerFingerprint = await SyncInitAsync(stateB);
        var httpsPort = TestPorts.Free();
        _gateway = await GatewayProcess.StartAsync((p, a) =>
        {
            var config = GatewayProcess.Config(p, a, [_upstream.Address], clusterMetadata: new JsonObject
            {
                ["Check"] = "interval=500 rise=1 fall=1 timeout=500 type=tcp",
                ["Sticky"] = "learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m header",
            });
            config["Gateway"]!["Listen"] = new JsonArray($"http://127.0.0.1:{p}", $"https://127.0.0.1:{httpsPort}");
            config["Gateway"]!["Tls"] = new JsonObject { ["Certificate"] = certificate, ["CertificateKey"] = key };
            config["ConfigSync"] = new JsonObject
            {
                ["Enabled"] = true,
                ["Listen"] = $"https://127.0.0.1:{TestPorts.Free()}",
                ["StateDirectory"] = stateA,
                ["Roots"] = new JsonArray(root),
                ["Peers"] = new JsonArray(new JsonObject { ["Url"] = $"https://127.0.0.1:{TestPorts.Free()}", ["Fingerprint"] = peerFingerprint }),
            };
            return config;
        });
        using var http = new HttpClient();
        // Traffic, a sticky lookup and a reload, so counters and histograms have children.
        using (var request = new HttpRequestMessage(HttpMethod.Get, _gateway.Url))
        {
            request.Headers.Add("X-Auth-Token", "t");
            using var _ = await http.SendAsync(request);
        }
        await Eventually.GetAsync(() => _gateway.MetricsAsync(), m => m.Contains("saltha_sync_peer_connected{", StringComparison.Ordinal)
            && m.Contains("saltha_upstream_check_duration_seconds_bucket{", StringComparison.Ordinal), what: "sync and check metrics");
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _upstream.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private static async Task<string> SyncInitAsync(string stateDir)
    {
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("sync", "init", "--state-dir", stateDir);
        Assert.True(code == 0, stderr);
        return stdout.Trim().Split('\n')[^1].Trim();
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, string? stdin, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = stdin is not null };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    /// <summary>The metric names the gateway exposes: the families of a real scrape (with the _bucket, _sum and
    /// _count series of histograms) and, since VRRP needs a network of its own to run, saltha_vrrp_* from its source.</summary>
    private async Task<HashSet<string>> ExposedNamesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (await _gateway.MetricsAsync()).Split('\n'))
        {
            // A labelled family without children yet (no lag before the first apply) has only its # TYPE line.
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                names.Add(parts[2]);
                if (parts[3] == "histogram") names.UnionWith([parts[2] + "_bucket", parts[2] + "_sum", parts[2] + "_count"]);
            }
            else if (line.Length > 0 && line[0] != '#')
            {
                names.Add(SeriesName().Match(line).Value);
            }
        }
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.Path("src/SaltHaGateway.Vrrp"), "*.cs", SearchOption.AllDirectories))
        {
            foreach (Match m in QuotedSalthaName().Matches(File.ReadAllText(file))) names.Add(m.Groups[1].Value);
        }
        return names;
    }

    /// <summary>Metric names in a PromQL expression: identifiers that are not functions, keywords, label names or
    /// inside strings, label matchers or ranges.</summary>
    private static IEnumerable<string> MetricNamesIn(string expr)
    {
        var bare = Quoted().Replace(expr, "");
        bare = Braced().Replace(bare, "");
        bare = Bracketed().Replace(bare, "");
        bare = Grouping().Replace(bare, "");
        string[] keywords = ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"];
        return Identifier().Matches(bare).Where(m => !m.Groups[2].Success).Select(m => m.Groups[1].Value)
            .Where(n => !keywords.Contains(n) && n[0] != '$' && !n.StartsWith("__", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Alert_rules_pass_promtool_check_and_unit_tests()
    {
        var check = await RunAsync(Promtool, null, "check", "rules", Rules);
        Assert.True(check.ExitCode == 0, check.Output);
        var test = await RunAsync(Promtool, null, "test", "rules", Path.ChangeExtension(Rules, ".test.yml"));
        Assert.True(test.ExitCode == 0, test.Output);
        Assert.Contains("SUCCESS", test.Output);
    }

    [Fact]
    public async Task Every_alert_has_a_unit_test_case()
    {
        var alerts = AlertName().Matches(await File.ReadAllTextAsync(Rules)).Select(m => m.Groups[1].Value).ToHashSet();
        var tested = TestedAlert().Matches(await File.ReadAllTextAsync(Path.ChangeExtension(Rules, ".test.yml"))).Select(m => m.Groups[1].Value).ToHashSet();
        Assert.True(alerts.Count >= 14, string.Join(", ", alerts));
        Assert.Empty(alerts.Except(tested));
    }

    [Fact]
    public async Task Alert_rules_and_dashboard_use_only_metrics_the_gateway_exposes()
    {
        var exposed = await ExposedNamesAsync();
        exposed.Add("up");
        var rules = SalthaName().Matches(await File.ReadAllTextAsync(Rules)).Select(m => m.Value).ToHashSet();
        var missing = rules.Where(n => !exposed.Contains(n)).ToList();
        Assert.True(missing.Count == 0, "not exposed: " + string.Join(", ", missing));

        var dashboard = JsonNode.Parse(await File.ReadAllTextAsync(Dashboard))!;
        var exprs = dashboard["panels"]!.AsArray().SelectMany(p => p!["targets"]?.AsArray() ?? []).Select(t => (string)t!["expr"]!).ToList();
        // label_values(selector, label): the selector is the query.
        exprs.AddRange(dashboard["templating"]!["list"]!.AsArray().Select(v => (string?)v!["definition"]).OfType<string>()
            .Select(d => LabelValues().Match(d).Groups[1].Value));
        Assert.True(exprs.Count >= 15, $"{exprs.Count} queries");
        foreach (var expr in exprs)
        {
            var names = MetricNamesIn(expr).ToList();
            Assert.True(names.Count > 0, $"no metric in {expr}");
            Assert.All(names, n => Assert.True(exposed.Contains(n), $"{n} (in {expr}) is not exposed"));
        }
        string[] panels = ["Requests by status code", "5xx", "Upstream servers up", "Health check duration", "Retries by reason", "VRRP state per node",
            "Sync peers", "Replication lag", "conflicts", "Sticky", "Maintenance"];
        var titles = string.Join("\n", dashboard["panels"]!.AsArray().Select(p => (string)p!["title"]!));
        Assert.All(panels, p => Assert.Contains(p, titles));
    }

    [Fact]
    public async Task Promtool_finds_no_problem_in_the_saltha_families_of_a_real_scrape()
    {
        var scrape = await _gateway.MetricsAsync();
        Assert.Contains("saltha_tls_certificate_not_after_seconds{use=\"listener\"", scrape);
        Assert.Contains("saltha_sync_open_conflicts 0", scrape);
        var problems = await PromtoolProblemsAsync(scrape);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>What <c>promtool check metrics</c> reports about the saltha_* families of a scrape.</summary>
    internal static async Task<List<string>> PromtoolProblemsAsync(string scrape)
    {
        var (_, output) = await RunAsync(Promtool, scrape, "check", "metrics");
        return output.Split('\n').Where(l => l.StartsWith("saltha_", StringComparison.Ordinal)).ToList();
    }

    [Fact]
    public async Task A_prometheus_server_scrapes_the_gateway()
    {
        var port = TestPorts.Free();
        var config = Path.Combine(_dir, "prometheus.yml");
        await File.WriteAllTextAsync(config, $"""
            global:
              scrape_interval: 1s
            rule_files:
              - {Rules}
            scrape_configs:
              - job_name: salt-ha-gateway
                static_configs:
                  - targets: ['127.0.0.1:{_gateway.AdminPort}']
            """);
        var info = new ProcessStartInfo("/usr/bin/prometheus") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { $"--config.file={config}", $"--storage.tsdb.path={Path.Combine(_dir, "tsdb")}", $"--web.listen-address=127.0.0.1:{port}" })
            info.ArgumentList.Add(a);
        using var prometheus = Process.Start(info)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        prometheus.OutputDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        prometheus.ErrorDataReceived += (_, e) => { if (e.Data is not null) log.Enqueue(e.Data); };
        prometheus.BeginOutputReadLine();
        prometheus.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
            async Task<int> CountAsync(string query)
            {
                try
                {
                    var answer = await http.GetFromJsonAsync<JsonElement>($"http://127.0.0.1:{port}/api/v1/query?query={Uri.EscapeDataString(query)}");
                    return answer.GetProperty("data").GetProperty("result").GetArrayLength();
                }
                catch (HttpRequestException) { return -1; }
                catch (TaskCanceledException) { return -1; }
            }
            await Eventually.GetAsync(() => CountAsync("up{job=\"salt-ha-gateway\"} == 1"), n => n == 1, TimeSpan.FromSeconds(60),
                "the gateway target up\n" + string.Join("\n", log));
            await Eventually.GetAsync(() => CountAsync("saltha_config_generation{job=\"salt-ha-gateway\"} == 1"), n => n == 1, TimeSpan.FromSeconds(30),
                "saltha_config_generation stored");
            Assert.Equal(1, await CountAsync("saltha_upstream_up{upstream=\"act2\"} == 1"));
        }
        finally
        {
            prometheus.Kill();
            await prometheus.WaitForExitAsync();
        }
    }

    [GeneratedRegex(@"^[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex SeriesName();

    [GeneratedRegex("\"(saltha_[a-z0-9_]+)\"")]
    private static partial Regex QuotedSalthaName();

    [GeneratedRegex(@"\bsaltha_[a-z0-9_]+")]
    private static partial Regex SalthaName();

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Braced();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    [GeneratedRegex(@"(\$?[a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^label_values\(([^,)]+)")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"- alert: (\w+)")]
    private static partial Regex AlertName();

    [GeneratedRegex(@"alertname: (\w+)")]
    private static partial Regex TestedAlert();
}

/// <summary>The VRRP families, which need the pair's network namespaces to exist: a scrape of the master of the real
/// pair passes <c>promtool check metrics</c> too.</summary>
[Collection(NamespaceCollection.Name)]
public sealed class MonitoringPairTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task Promtool_finds_no_problem_in_a_scrape_of_a_vrrp_master()
    {
        await using var lab = await PairLab.StartAsync(output);
        await lab.WaitForVipAsync(true, false, "VIP on a only at start");
        // The peer's series appears once the sync link is up, which a busy machine may reach after the VIP settled.
        var scrape = "";
        await lab.WaitAsync(() => (scrape = lab.Curl("a", "http://127.0.0.1:9145/metrics")).Contains("saltha_sync_peer_connected{", StringComparison.Ordinal),
            TimeSpan.FromSeconds(60), () => "the sync peer's series in a's scrape");
        Assert.Contains("saltha_vrrp_state{instance=", scrape);
        var problems = await MonitoringTests.PromtoolProblemsAsync(scrape);
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }
}
