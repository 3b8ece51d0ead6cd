using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>The active checker inside the running gateway: status pages, marking servers down and up, the first
/// round before traffic, passive hints, and closing idle connections to a server that went down.</summary>
public sealed class HealthCheckTests
{
    private static JsonObject Checked(int port, int admin, IEnumerable<string> servers, string check) =>
        GatewayProcess.Config(port, admin, servers, clusterMetadata: new JsonObject { ["Check"] = check });

    [Fact]
    public async Task Status_page_on_admin_and_public_locations_with_access_rules()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        var dead = TestPorts.Free();
        await using var gateway = await GatewayProcess.StartAsync((p, ad) =>
        {
            var config = Checked(p, ad, [a.Address, $"http://127.0.0.1:{dead}"], "interval=200 rise=1 fall=1 timeout=500 type=tcp");
            config["Gateway"]!["StatusPages"] = new JsonArray(
                new JsonObject { ["Path"] = "/nstatus", ["Access"] = "allow 127.0.0.1; deny all" },
                new JsonObject { ["Path"] = "/closed", ["Access"] = "deny all" });
            return config;
        });
        using var http = new HttpClient();
        var json = await Eventually.GetAsync(() => http.GetStringAsync($"http://127.0.0.1:{gateway.AdminPort}/status?format=json"),
            s => s.Contains("\"down\""), what: "dead server down on the status page");
        using var doc = JsonDocument.Parse(json);
        var servers = doc.RootElement.GetProperty("servers");
        Assert.Equal(2, servers.GetProperty("total").GetInt32());
        var rows = servers.GetProperty("server").EnumerateArray().ToList();
        Assert.Equal($"127.0.0.1:{a.Port}", rows[0].GetProperty("name").GetString());
        Assert.Equal("up", rows[0].GetProperty("status").GetString());
        Assert.Equal("tcp", rows[0].GetProperty("type").GetString());

        var html = await http.GetStringAsync(new Uri(gateway.Url, "/nstatus"));
        Assert.Contains("<title>Nginx http upstream check status</title>", html);
        using var closed = await http.GetAsync(new Uri(gateway.Url, "/closed"));
        Assert.Equal(HttpStatusCode.Forbidden, closed.StatusCode);
        using var post = await http.PostAsync($"http://127.0.0.1:{gateway.AdminPort}/status", new StringContent(""));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
    }

    [Fact]
    public async Task First_round_runs_before_traffic_so_a_dead_default_down_server_gets_nothing()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        var dead = $"http://127.0.0.1:{TestPorts.Free()}";
        await using var gateway = await GatewayProcess.StartAsync((p, ad) =>
            Checked(p, ad, [dead, a.Address], "interval=3000 rise=1 fall=1 timeout=1000 type=tcp default_down=true"));
        using var http = new HttpClient();
        for (var i = 0; i < 6; i++) Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());
        // Not one request was tried on the dead server: the checker had already kept it down.
        Assert.Equal(0, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"connect_error\"}"));
        Assert.Equal(0, await gateway.MetricAsync($"saltha_upstream_up{{upstream=\"act2\",server=\"{new Uri(dead).Authority}\"}}"));
    }

    [Fact]
    public async Task A_refused_connection_on_live_traffic_speeds_up_detection()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        await using var b = await NginxUpstream.StartAsync("B");
        // With a 10 s interval and fall=3 the module would need 30 s; passive hints cut that to about 3 × 500 ms.
        await using var gateway = await GatewayProcess.StartAsync((p, ad) =>
            Checked(p, ad, [a.Address, b.Address], "interval=10000 rise=2 fall=3 timeout=1000 type=tcp"));
        using var http = new HttpClient();
        await b.KillAsync();
        var started = Stopwatch.StartNew();
        for (var i = 0; i < 4; i++) await http.GetStringAsync(gateway.Url);
        await Eventually.GetAsync(() => gateway.MetricAsync($"saltha_upstream_check_up{{upstream=\"act2\",server=\"127.0.0.1:{b.Port}\"}}"),
            v => v == 0, TimeSpan.FromSeconds(20), "B marked down by the checker");
        Assert.True(started.Elapsed < TimeSpan.FromSeconds(25), $"took {started.Elapsed}");
        // The metric and the log line are written by different paths; the line reaches the captured output through
        // Serilog's console sink and a pipe, so on a busy machine it can arrive after the metric has turned.
        await Eventually.GetAsync(() => Task.FromResult(gateway.Output.Contains("disable check peer", StringComparison.Ordinal)),
            v => v, TimeSpan.FromSeconds(10), "the 'disable check peer' log line");

        await b.StartAsync();
        await Eventually.GetAsync(() => gateway.MetricAsync($"saltha_upstream_check_up{{upstream=\"act2\",server=\"127.0.0.1:{b.Port}\"}}"),
            v => v == 1, TimeSpan.FromSeconds(40), "B back up after rise=2 checks");
    }

    [Fact]
    public async Task Idle_connections_to_a_server_marked_down_are_closed()
    {
        await using var a = await NginxUpstream.StartAsync("A", extraHttp: "keepalive_timeout 300s;");
        var checkPort = TestPorts.Free();
        var checkListener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, checkPort);
        checkListener.Start();
        try
        {
            // The server's check port is a separate listener the test controls: stopping it fails the checks while
            // the server itself (and the gateway's pooled connection to it) stays alive.
            await using var gateway = await GatewayProcess.StartAsync((p, ad) =>
            {
                var config = Checked(p, ad, [a.Address], "interval=300 rise=1 fall=2 timeout=300 type=tcp");
                config["ReverseProxy"]!["Clusters"]!["act2"]!["Destinations"]![$"127.0.0.1:{a.Port}"]!["Health"] = $"http://127.0.0.1:{checkPort}";
                return config;
            });
            using var http = new HttpClient();
            Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());
            Assert.True(EstablishedTo(a.Port) >= 1);

            checkListener.Stop();
            await Eventually.GetAsync(() => Task.FromResult(EstablishedTo(a.Port)), n => n == 0, TimeSpan.FromSeconds(15), "pooled connection closed");
            Assert.Equal(0, await gateway.MetricAsync($"saltha_upstream_up{{upstream=\"act2\",server=\"127.0.0.1:{a.Port}\"}}"));
        }
        finally
        {
            checkListener.Stop();
        }
    }

    /// <summary>Established TCP connections to a local port, as the kernel sees them.</summary>
    private static int EstablishedTo(int port)
    {
        var info = new ProcessStartInfo("ss", ["-Htn", "state", "established", "dport", "=", $":{port}"]) { RedirectStandardOutput = true };
        using var ss = Process.Start(info)!;
        var text = ss.StandardOutput.ReadToEnd();
        ss.WaitForExit();
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }
}
