using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

public sealed class ProxyRoutingTests : IAsyncLifetime
{
    private EchoUpstream _echo = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _echo = await EchoUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [_echo.Address],
            routeMetadata: new JsonObject { ["ProxySetHeader.Host"] = "$host:$server_port" }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _echo.DisposeAsync();
    }

    private sealed record Echo(string Method, string Path, Dictionary<string, string> Headers, long BodyLength);

    private async Task<Echo> SendAsync(HttpRequestMessage request)
    {
        using var http = new HttpClient();
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<Echo>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
    }

    [Fact]
    public async Task The_start_up_warm_up_of_the_proxy_path_never_reaches_the_upstream_nor_the_access_log()
    {
        // The gateway is ready: its warm-up requests have gone through the proxy path to its own admin listener.
        Assert.Equal(0, _echo.Requests);
        Assert.DoesNotContain("HTTP/1.1\"", _gateway.Output);
        using var http = new HttpClient();
        using var response = await http.GetAsync(_gateway.Url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, _echo.Requests);
        // A client cannot pass for the warm-up: the header needs this process's token.
        using var forged = new HttpRequestMessage(HttpMethod.Get, _gateway.Url);
        forged.Headers.Add("X-Saltha-Warmup", "0000");
        using var forgedResponse = await http.SendAsync(forged);
        Assert.Equal(HttpStatusCode.OK, forgedResponse.StatusCode);
        Assert.Equal(2, _echo.Requests);
    }

    [Fact]
    public async Task Forwards_path_query_and_nginx_style_headers()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.Url, "/minions/run?x=1&y=%20"));
        request.Headers.Host = "Salt.Example.COM";
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        request.Headers.Add("X-Auth-Token", "t0k");
        var echo = await SendAsync(request);

        Assert.Equal("/minions/run?x=1&y=%20", echo.Path);
        // proxy_set_header Host $host:$server_port — nginx lower-cases $host and uses the listener's port.
        Assert.Equal($"salt.example.com:{_gateway.Port}", echo.Headers["host"]);
        Assert.Equal("203.0.113.7, 127.0.0.1", echo.Headers["x-forwarded-for"]);
        Assert.Equal("127.0.0.1", echo.Headers["x-real-ip"]);
        Assert.Equal("http", echo.Headers["x-forwarded-proto"]);
        Assert.Equal("t0k", echo.Headers["x-auth-token"]);
        Assert.False(echo.Headers.ContainsKey("x-forwarded-host"));
        Assert.False(echo.Headers.ContainsKey("traceparent"));
    }

    [Fact]
    public async Task Post_body_is_forwarded_and_bodies_over_one_megabyte_get_413()
    {
        var small = await SendAsync(new HttpRequestMessage(HttpMethod.Post, _gateway.Url) { Content = new ByteArrayContent(new byte[64 * 1024]) });
        Assert.Equal("POST", small.Method);
        Assert.Equal(64 * 1024, small.BodyLength);

        using var http = new HttpClient();
        using var big = await http.PostAsync(_gateway.Url, new ByteArrayContent(new byte[1024 * 1024 + 1]));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, big.StatusCode);
    }

    [Fact]
    public async Task Websocket_round_trip_passes_through()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"ws://127.0.0.1:{_gateway.Port}/ws"), CancellationToken.None);
        foreach (var text in new[] { "ping", "salt-run jobs.active" })
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);
            var buffer = new byte[1024];
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            Assert.Equal(text, Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
    }

    [Fact]
    public async Task Admin_endpoints_are_only_on_the_admin_port_and_proxy_routes_only_on_the_proxy_port()
    {
        using var http = new HttpClient();
        var proxied = await http.GetStringAsync(new Uri(_gateway.Url, "/metrics"));
        Assert.Contains("\"path\":\"/metrics\"", proxied);
        using var adminOther = await http.GetAsync($"http://127.0.0.1:{_gateway.AdminPort}/minions");
        Assert.Equal(HttpStatusCode.NotFound, adminOther.StatusCode);
        Assert.Contains("saltha_config_generation 1", await _gateway.MetricsAsync());
        using var healthz = await http.GetAsync($"http://127.0.0.1:{_gateway.AdminPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }

    [Fact]
    public async Task Requests_are_counted_per_route_upstream_server_and_code()
    {
        using var http = new HttpClient();
        for (var i = 0; i < 3; i++) await http.GetStringAsync(new Uri(_gateway.Url, "/counted"));
        var series = $"saltha_proxy_requests_total{{route=\"act2\",upstream=\"act2\",server=\"127.0.0.1:{_echo.Port}\",code=\"200\"}}";
        Assert.True(await _gateway.MetricAsync(series) >= 3);
        Assert.Contains("saltha_proxy_request_duration_seconds_bucket{upstream=\"act2\"", await _gateway.MetricsAsync());
        Assert.Contains("dotnet_collection_count_total", await _gateway.MetricsAsync());
    }

    [Fact]
    public async Task Access_log_lines_are_in_nginx_combined_format()
    {
        using var http = new HttpClient();
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_gateway.Url, "/logged?q=1"));
        request.Headers.UserAgent.ParseAdd("salt-test/1.0");
        (await http.SendAsync(request)).Dispose();
        var line = await Eventually.GetAsync(() => Task.FromResult(_gateway.Output.Split('\n').FirstOrDefault(l => l.Contains("/logged?q=1"))),
            l => l is not null, what: "access log line");
        Assert.Matches(@"^127\.0\.0\.1 - - \[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] ""GET /logged\?q=1 HTTP/1\.1"" 200 \d+ ""-"" ""salt-test/1\.0""$", line);
    }

    [Fact]
    public async Task Route_allow_deny_rules_answer_403_to_other_clients()
    {
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [_echo.Address],
            routeMetadata: new JsonObject { ["Access"] = "allow 10.0.0.0/8; deny all" }));
        using var http = new HttpClient();
        using var denied = await http.GetAsync(gateway.Url);
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);

        var config = GatewayProcess.Config(gateway.Port, gateway.AdminPort, [_echo.Address],
            routeMetadata: new JsonObject { ["Access"] = "allow 127.0.0.1; deny all" });
        await gateway.WriteConfigAsync(config.ToJsonString());
        await Eventually.GetAsync(async () => (await http.GetAsync(gateway.Url)).StatusCode, c => c == HttpStatusCode.OK, what: "allowed after reload");
    }
}
