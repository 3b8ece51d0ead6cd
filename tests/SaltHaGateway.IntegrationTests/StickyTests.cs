using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// nginx's <c>sticky</c> through the real gateway, in front of two servers that keep sessions in their own memory the
/// way salt-api does: a token from one server's /login is unknown (401) on the other.
/// </summary>
public sealed class StickyTests : IAsyncLifetime
{
    private SessionServer _a = null!;
    private SessionServer _b = null!;

    public async Task InitializeAsync()
    {
        _a = await SessionServer.StartAsync("a");
        _b = await SessionServer.StartAsync("b");
    }

    public async Task DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
    }

    private Task<GatewayProcess> GatewayAsync(string sticky) =>
        GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [_a.Address, _b.Address],
            clusterMetadata: new JsonObject { ["Sticky"] = sticky }));

    [Fact]
    public async Task Learned_tokens_reach_the_server_that_issued_them_with_round_robin_balancing()
    {
        await using var gateway = await GatewayAsync(
            "learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token lookup=$cookie_session_id zone=saltapi:1m timeout=10h");
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false });
        for (var i = 0; i < 20; i++)
        {
            using var login = await http.PostAsync(new Uri(gateway.Url, "/login"), null);
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            var token = login.Headers.GetValues("X-Auth-Token").Single();
            for (var j = 0; j < 3; j++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.Url, "/"));
                if (j == 2) request.Headers.Add("Cookie", "session_id=" + token); // a browser carries the cookie instead
                else request.Headers.Add("X-Auth-Token", token);
                using var response = await http.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }
        // Both servers issued tokens: the balancing stayed round robin.
        Assert.True(_a.Logins >= 5 && _b.Logins >= 5, $"logins a={_a.Logins} b={_b.Logins}");
        Assert.Equal(60, await gateway.MetricAsync("saltha_sticky_lookups_total{upstream=\"act2\",result=\"hit\"}"));
        Assert.Equal(20, await gateway.MetricAsync("saltha_sticky_entries{upstream=\"act2\"}"));
        using var status = await http.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/sticky/status");
        var json = JsonNode.Parse(await status.Content.ReadAsStringAsync())!["upstreams"]![0]!;
        Assert.Equal(20, (int)json["entries"]!);
        Assert.Equal("learn", (string)json["method"]!);
    }

    [Fact]
    public async Task When_the_bound_server_is_gone_the_request_goes_to_another_and_is_counted_as_a_rebind()
    {
        await using var gateway = await GatewayAsync("learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m header");
        using var http = new HttpClient();
        string? tokenOfA = null;
        for (var i = 0; i < 4 && tokenOfA is null; i++)
        {
            using var login = await http.PostAsync(new Uri(gateway.Url, "/login"), null);
            if (login.Headers.GetValues("X-Served-By").Single() == "a") tokenOfA = login.Headers.GetValues("X-Auth-Token").Single();
        }
        Assert.NotNull(tokenOfA);
        await _a.DisposeAsync();

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.Url, "/"));
        request.Headers.Add("X-Auth-Token", tokenOfA);
        using var response = await http.SendAsync(request);
        // b does not know a's session (salt-api answers 401 and the client logs in again), but the request was served.
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("b", response.Headers.GetValues("X-Served-By").Single());
        using var again = await http.PostAsync(new Uri(gateway.Url, "/login"), null);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.True(await gateway.MetricAsync("saltha_sticky_rebinds_total{upstream=\"act2\"}") >= 1);
    }

    [Fact]
    public async Task Sticky_cookie_names_the_server_and_keeps_a_browser_on_it()
    {
        await using var gateway = await GatewayAsync("cookie srv_id path=/ httponly samesite=lax");
        using var http = new HttpClient(new SocketsHttpHandler { UseCookies = false });
        using var first = await http.PostAsync(new Uri(gateway.Url, "/login"), null);
        var setCookie = first.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("srv_id=", StringComparison.Ordinal));
        Assert.Matches("^srv_id=[0-9a-f]{32}; path=/; samesite=Lax; httponly$", setCookie);
        var served = first.Headers.GetValues("X-Served-By").Single();
        var cookie = setCookie.Split(';')[0];
        for (var i = 0; i < 6; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway.Url, "/login"));
            request.Headers.Add("Cookie", cookie);
            using var response = await http.SendAsync(request);
            Assert.Equal(served, response.Headers.GetValues("X-Served-By").Single());
            Assert.False(response.Headers.Contains("Set-Cookie") && response.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("srv_id=", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task A_bad_sticky_directive_is_refused_with_its_json_path()
    {
        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", await WriteConfigAsync(
            "learn create=$http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m"));
        Assert.NotEqual(0, code);
        Assert.Contains("ReverseProxy.Clusters.act2.Metadata.Sticky", stderr);
        Assert.Contains("cannot create a session", stderr);
    }

    private async Task<string> WriteConfigAsync(string sticky)
    {
        var file = Path.Combine(Path.GetTempPath(), $"sticky-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, GatewayProcess.Config(TestPorts.Free(), TestPorts.Free(), [_a.Address, _b.Address],
            clusterMetadata: new JsonObject { ["Sticky"] = sticky }).ToJsonString());
        return file;
    }

    /// <summary>A server with sessions in its own memory, as salt-api: POST /login issues a token (X-Auth-Token and
    /// the session_id cookie); other requests need a token this server issued, else 401.</summary>
    private sealed class SessionServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, bool> _tokens = new();
        private int _logins;
        private bool _disposed;

        private SessionServer(WebApplication app) => _app = app;

        public string Address { get; private set; } = "";
        public int Logins => Volatile.Read(ref _logins);

        public static async Task<SessionServer> StartAsync(string name)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var server = new SessionServer(app);
            app.Use((ctx, next) => { ctx.Response.Headers["X-Served-By"] = name; return next(ctx); });
            app.MapPost("/login", (HttpContext ctx) =>
            {
                Interlocked.Increment(ref server._logins);
                var token = Guid.NewGuid().ToString("N");
                server._tokens[token] = true;
                ctx.Response.Headers["X-Auth-Token"] = token;
                ctx.Response.Headers.SetCookie = $"session_id={token}; Path=/";
                return Results.Text($"{{\"return\":[{{\"token\":\"{token}\"}}]}}", "application/json");
            });
            app.MapPost("/", (HttpContext ctx) =>
            {
                var token = ctx.Request.Headers["X-Auth-Token"].ToString();
                if (token.Length == 0) token = ctx.Request.Cookies["session_id"] ?? "";
                return server._tokens.ContainsKey(token) ? Results.Text("{\"return\":[{}]}", "application/json") : Results.StatusCode(401);
            });
            await app.StartAsync();
            server.Address = app.Urls.First().Replace("[::1]", "127.0.0.1");
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (_disposed) return;
            _disposed = true;
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
