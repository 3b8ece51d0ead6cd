using System.Net;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

public sealed class FailoverTests
{
    [Fact]
    public async Task Killing_an_upstream_under_load_fails_no_GET()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        await using var b = await NginxUpstream.StartAsync("B");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address, b.Address]));

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 16 }) { Timeout = TimeSpan.FromSeconds(10) };
        var failures = 0;
        var answered = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        async Task Client()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var response = await http.GetAsync(gateway.Url);
                    var body = (await response.Content.ReadAsStringAsync()).Trim();
                    if (response.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
                    else answered.AddOrUpdate(body, 1, (_, n) => n + 1);
                }
                catch (HttpRequestException) { Interlocked.Increment(ref failures); }
            }
        }
        var clients = Enumerable.Range(0, 8).Select(_ => Task.Run(Client)).ToArray();
        await Task.Delay(1000);
        await b.KillAsync();
        await Task.WhenAll(clients);

        Assert.Equal(0, failures);
        Assert.True(answered["A"] > 0 && answered["B"] > 0, $"both servers answered before the kill: {string.Join(", ", answered)}");
        Assert.True(await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"connect_error\"}") >= 1);
        // Logged from the thread pool, off the retried request's path: it may reach the output a moment later.
        await Eventually.GetAsync(() => Task.FromResult(gateway.Output.Contains($"server 127.0.0.1:{b.Port} temporarily disabled", StringComparison.Ordinal)),
            v => v, TimeSpan.FromSeconds(10), "the 'temporarily disabled' log line");
        Assert.Equal(0, await gateway.MetricAsync($"saltha_upstream_up{{upstream=\"act2\",server=\"127.0.0.1:{b.Port}\"}}"));
    }

    [Fact]
    public async Task All_servers_down_gives_502_and_then_502_without_trying()
    {
        var deadPorts = new[] { TestPorts.Free(), TestPorts.Free() };
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, deadPorts.Select(d => $"http://127.0.0.1:{d}")));
        using var http = new HttpClient();
        using (var first = await http.GetAsync(gateway.Url)) Assert.Equal(HttpStatusCode.BadGateway, first.StatusCode);
        // Both servers are now in their fail_timeout: the next request is answered at once, with no server chosen.
        using (var second = await http.GetAsync(gateway.Url)) Assert.Equal(HttpStatusCode.BadGateway, second.StatusCode);
        Assert.Equal(1, await gateway.MetricAsync("saltha_proxy_requests_total{route=\"act2\",upstream=\"act2\",server=\"\",code=\"502\"}"));
        Assert.Equal(1, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"connect_error\"}"));
    }

    [Fact]
    public async Task A_post_to_a_refusing_server_moves_on_with_its_body()
    {
        await using var echo = await EchoUpstream.StartAsync();
        var dead = $"http://127.0.0.1:{TestPorts.Free()}";
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [dead, echo.Address]));
        using var http = new HttpClient();
        // Round-robin sends the first request to the dead server; nothing was sent, so even a POST moves on.
        using var response = await http.PostAsync(gateway.Url, new StringContent("{\"fun\":\"test.ping\"}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"bodyLength\":19", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Next_upstream_off_returns_the_error()
    {
        await using var echo = await EchoUpstream.StartAsync();
        var dead = $"http://127.0.0.1:{TestPorts.Free()}";
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [dead, echo.Address],
            clusterMetadata: new JsonObject { ["NextUpstream"] = "off" }));
        using var http = new HttpClient();
        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var response = await http.GetAsync(gateway.Url);
            codes.Add(response.StatusCode);
        }
        Assert.Contains(HttpStatusCode.BadGateway, codes);
    }

    [Fact]
    public async Task Backup_takes_over_only_when_primaries_are_gone()
    {
        await using var primary = await NginxUpstream.StartAsync("primary");
        await using var backup = await NginxUpstream.StartAsync("backup");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) =>
        {
            var config = GatewayProcess.Config(p, ad, [primary.Address, backup.Address]);
            config["ReverseProxy"]!["Clusters"]!["act2"]!["Destinations"]![$"127.0.0.1:{backup.Port}"]!["Metadata"] = new JsonObject { ["Backup"] = "true" };
            return config;
        });
        using var http = new HttpClient();
        for (var i = 0; i < 4; i++) Assert.Equal("primary", (await http.GetStringAsync(gateway.Url)).Trim());
        await primary.KillAsync();
        for (var i = 0; i < 4; i++) Assert.Equal("backup", (await http.GetStringAsync(gateway.Url)).Trim());
    }
}
