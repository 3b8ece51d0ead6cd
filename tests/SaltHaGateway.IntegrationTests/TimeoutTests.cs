using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>proxy_next_upstream timeout: a server that never answers, or cannot even be connected to.</summary>
public sealed class TimeoutTests
{
    /// <summary>Accepts connections and reads requests but never answers.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];
        private readonly CancellationTokenSource _stop = new();

        public SilentServer()
        {
            _listener.Start();
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    try { lock (_accepted) _accepted.Add(_listener.AcceptSocket()); }
                    catch (SocketException) { return; }
                    catch (ObjectDisposedException) { return; }
                }
            });
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int Accepted { get { lock (_accepted) return _accepted.Count; } }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            lock (_accepted) foreach (var s in _accepted) s.Dispose();
        }
    }

    private static JsonObject WithTimeouts(JsonObject config, string readTimeout, string connectTimeout)
    {
        var cluster = config["ReverseProxy"]!["Clusters"]!["act2"]!.AsObject();
        cluster["HttpRequest"] = new JsonObject { ["ActivityTimeout"] = readTimeout };
        cluster["Metadata"] = new JsonObject { ["ConnectTimeout"] = connectTimeout };
        return config;
    }

    [Fact]
    public async Task A_get_that_times_out_moves_on_but_a_post_does_not()
    {
        using var silent = new SilentServer();
        await using var echo = await EchoUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync((p, a) =>
            WithTimeouts(GatewayProcess.Config(p, a, [$"http://127.0.0.1:{silent.Port}", echo.Address]), "00:00:01", "1s"));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };

        // Round-robin: the first request goes to the silent server, times out after 1 s and is retried.
        using (var get = await http.GetAsync(gateway.Url))
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(1, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"timeout\"}"));

        // The silent server is now disabled for fail_timeout; re-enable it by reloading with max_fails=0, then POST to it.
        var config = WithTimeouts(GatewayProcess.Config(gateway.Port, gateway.AdminPort, [$"http://127.0.0.1:{silent.Port}", echo.Address]), "00:00:01", "1s");
        config["ReverseProxy"]!["Clusters"]!["act2"]!["Destinations"]![$"127.0.0.1:{silent.Port}"]!["Metadata"] = new JsonObject { ["MaxFails"] = "0" };
        await gateway.WriteConfigAsync(config.ToJsonString());
        await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_generation"), g => g == 2, what: "reload");

        var codes = new List<HttpStatusCode>();
        for (var i = 0; i < 2; i++)
        {
            using var post = await http.PostAsync(gateway.Url, new StringContent("{\"fun\":\"state.apply\"}"));
            codes.Add(post.StatusCode);
        }
        // One of the two POSTs reached the silent server: it may have been executed, so it is not sent again.
        Assert.Contains(HttpStatusCode.GatewayTimeout, codes);
        Assert.Contains(HttpStatusCode.OK, codes);
    }

    [Fact]
    public async Task A_connect_that_times_out_moves_on()
    {
        // A listener that never accepts, with its backlog full: further SYNs are dropped, so connects hang.
        using var blackHole = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        blackHole.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        blackHole.Listen(0);
        var port = ((IPEndPoint)blackHole.LocalEndPoint!).Port;
        var fillers = new List<Socket>();
        for (var i = 0; i < 4; i++)
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try { await s.ConnectAsync(IPAddress.Loopback, port).WaitAsync(TimeSpan.FromMilliseconds(300)); } catch (TimeoutException) { }
            fillers.Add(s);
        }
        try
        {
            await using var echo = await EchoUpstream.StartAsync();
            await using var gateway = await GatewayProcess.StartAsync((p, a) =>
                WithTimeouts(GatewayProcess.Config(p, a, [$"http://127.0.0.1:{port}", echo.Address]), "00:00:10", "500ms"));
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(20) };
            for (var i = 0; i < 2; i++)
            {
                using var response = await http.PostAsync(gateway.Url, new StringContent("x"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            Assert.Equal(1, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"connect_timeout\"}"));
        }
        finally
        {
            foreach (var s in fillers) s.Dispose();
        }
    }
}
