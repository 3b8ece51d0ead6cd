using System.Text.Json.Nodes;

namespace SaltHaGateway.Cli;

/// <summary>
/// <c>demo</c>: two stand-in masters on loopback and a gateway in front of them, then a short scripted tour —
/// round-robin, one master dying with no failed request, the metrics — after which the gateway keeps running for
/// the newcomer to try things.
/// </summary>
public static class DemoCommand
{
    public static async Task<int> RunAsync(int port, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        await using var a = await StandInUpstream.StartAsync("A");
        await using var b = await StandInUpstream.StartAsync("B");
        var adminPort = port + 1;
        var dir = Directory.CreateTempSubdirectory("salt-ha-gateway-demo");
        var configFile = Path.Combine(dir.FullName, "gateway.json");
        await File.WriteAllTextAsync(configFile, DemoConfig(port, adminPort, a.Port, b.Port, dir.FullName).ToJsonString(new() { WriteIndented = true }), ct);

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var gateway = Hosting.GatewayApp.RunAsync(configFile, [], stderr, cts.Token);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var url = $"http://127.0.0.1:{port}/";
        if (!await WaitUntilServingAsync(http, url, gateway, ct)) return await gateway;

        await stdout.WriteLineAsync($"""

            === salt-ha-gateway demo ===
            Two stand-in masters: A on 127.0.0.1:{a.Port}, B on 127.0.0.1:{b.Port}; gateway on {url}; config in {configFile}

            1. Six requests: nginx's round-robin sends them to A and B in turn.
            """);
        await SendAsync(http, url, 6, stdout, ct);

        await stdout.WriteLineAsync("\n2. Master B dies. Six more requests: B's refused connections are retried on A, so no client sees an error,\n   and B is taken out of rotation for fail_timeout (max_fails=1 fail_timeout=10s, as nginx).");
        await b.StopAsync();
        await SendAsync(http, url, 6, stdout, ct);

        await stdout.WriteLineAsync($"\n3. What Prometheus sees (http://127.0.0.1:{adminPort}/metrics):");
        var metrics = await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics", ct);
        foreach (var line in metrics.Split('\n').Where(l => l.StartsWith("saltha_proxy_requests_total", StringComparison.Ordinal)
                     || l.StartsWith("saltha_upstream_retries_total", StringComparison.Ordinal) || l.StartsWith("saltha_upstream_up", StringComparison.Ordinal)))
            await stdout.WriteLineAsync("   " + line);

        await b.StartAsync(b.Port);
        await stdout.WriteLineAsync($"""

            4. Master B is back on 127.0.0.1:{b.Port}; it rejoins once its fail_timeout has passed.

            The gateway keeps running: try `curl {url}`, `curl http://127.0.0.1:{adminPort}/metrics`, edit {configFile}
            (it reloads within a second; a bad edit is rejected and logged), and press Ctrl-C to end the demo.
            """);
        return await gateway;
    }

    private static async Task<bool> WaitUntilServingAsync(HttpClient http, string url, Task<int> gateway, CancellationToken ct)
    {
        for (var i = 0; i < 100 && !gateway.IsCompleted; i++)
        {
            try
            {
                using var response = await http.GetAsync(url, ct);
                return true;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(100, ct);
            }
        }
        return false;
    }

    private static async Task SendAsync(HttpClient http, string url, int count, TextWriter stdout, CancellationToken ct)
    {
        for (var i = 1; i <= count; i++)
        {
            using var response = await http.GetAsync(url, ct);
            var body = (await response.Content.ReadAsStringAsync(ct)).Trim();
            await stdout.WriteLineAsync($"   GET / -> {(int)response.StatusCode} {body}");
        }
    }

    private static JsonObject DemoConfig(int port, int adminPort, int portA, int portB, string dir) => new()
    {
        ["Gateway"] = new JsonObject
        {
            ["Listen"] = new JsonArray($"http://127.0.0.1:{port}"),
            ["Admin"] = new JsonObject { ["Listen"] = $"http://127.0.0.1:{adminPort}" },
            ["AccessLog"] = new JsonObject { ["Format"] = "off" },
            // The demo runs beside a real gateway too, and as an ordinary user: its own state and control socket.
            ["StateDirectory"] = dir,
            ["Control"] = new JsonObject { ["Socket"] = Path.Combine(dir, "control.sock") },
        },
        ["ReverseProxy"] = new JsonObject
        {
            ["Routes"] = new JsonObject
            {
                ["act2"] = new JsonObject
                {
                    ["ClusterId"] = "act2",
                    ["Match"] = new JsonObject { ["Path"] = "/{**catch-all}" },
                    ["Metadata"] = new JsonObject { ["ProxySetHeader.Host"] = "$host:$server_port" },
                },
            },
            ["Clusters"] = new JsonObject
            {
                ["act2"] = new JsonObject
                {
                    ["Destinations"] = new JsonObject
                    {
                        [$"127.0.0.1:{portA}"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{portA}" },
                        [$"127.0.0.1:{portB}"] = new JsonObject { ["Address"] = $"http://127.0.0.1:{portB}" },
                    },
                },
            },
        },
    };
}
