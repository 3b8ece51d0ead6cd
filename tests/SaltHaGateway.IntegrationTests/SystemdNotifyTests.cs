using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>The gateway started as systemd's <c>Type=notify</c> does it: a datagram socket in NOTIFY_SOCKET.</summary>
public sealed class SystemdNotifyTests
{
    [Fact]
    public async Task Ready_status_watchdog_reload_and_stop_reach_the_notify_socket_in_order()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        var port = TestPorts.Free();
        var adminPort = TestPorts.Free();
        GatewayProcess? gateway = null;
        // What a client sees at the moment a message arrives (this thread blocks the next receive, not the gateway).
        using var notify = new NotifySocketListener(message =>
        {
            if (message == "STOPPING=1") return $"exited {gateway?.HasExited}";
            if (message != "READY=1") return "";
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
            try
            {
                using var r = http.GetAsync($"http://127.0.0.1:{port}/").GetAwaiter().GetResult();
                return $"proxy {(int)r.StatusCode}";
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return "proxy unreachable";
            }
        });
        var environment = new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path, ["WATCHDOG_USEC"] = "1000000" };
        gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]).ToJsonString(), port, adminPort, "run", [], null,
            environment: environment);
        try
        {
            await Eventually.GetAsync(() => Task.FromResult(notify.All), m => m.Contains("READY=1"), what: "READY=1");
            var ready = notify.Messages.First(m => m.Message == "READY=1");
            Assert.Equal("proxy 200", ready.Seen);

            await Eventually.GetAsync(() => Task.FromResult(notify.All), m => m.Contains("STATUS=act2 1/1 up"), what: "STATUS=\n" + notify.Dump);
            await Eventually.GetAsync(() => Task.FromResult(notify.All.Count(m => m == "WATCHDOG=1")), n => n >= 2, what: "two watchdog pings");

            // A config change: RELOADING=1 with the monotonic time, then READY=1 again.
            var before = notify.Messages.Count;
            var config = GatewayProcess.Config(port, adminPort, [a.Address]);
            config["ReverseProxy"]!["Clusters"]!["act2"]!["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["Balance"] = "least_conn" };
            await gateway.WriteConfigAsync(config.ToJsonString());
            await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_generation"), g => g == 2, what: "generation 2");
            await Eventually.GetAsync(() => Task.FromResult(notify.All.Skip(before).ToList()),
                m => m.FindIndex(x => x.StartsWith("RELOADING=1\nMONOTONIC_USEC=", StringComparison.Ordinal)) is var r and >= 0 && m.IndexOf("READY=1", r) > r,
                what: "RELOADING=1 then READY=1\n" + notify.Dump);
            var reloading = notify.All.Skip(before).First(x => x.StartsWith("RELOADING=1", StringComparison.Ordinal));
            var usec = long.Parse(reloading.Split('\n')[1]["MONOTONIC_USEC=".Length..], System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(usec, 1, long.MaxValue);

            // SIGTERM: STOPPING=1 while the gateway still runs, then the exit.
            before = notify.Messages.Count;
            Assert.Equal(0, await gateway.TerminateAsync());
            var after = notify.Messages.Skip(before).ToList();
            var stopping = Assert.Single(after, m => m.Message == "STOPPING=1");
            Assert.Equal("exited False", stopping.Seen);
            Assert.DoesNotContain(after.SkipWhile(m => m.Message != "STOPPING=1"), m => m.Message == "READY=1");
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task Sighup_reloads_between_reloading_and_ready()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        var port = TestPorts.Free();
        var adminPort = TestPorts.Free();
        using var notify = new NotifySocketListener(_ => "");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]).ToJsonString(), port, adminPort, "run", [], null,
            environment: new Dictionary<string, string> { ["NOTIFY_SOCKET"] = notify.Path });
        await Eventually.GetAsync(() => Task.FromResult(notify.All), m => m.Contains("READY=1"), what: "READY=1");
        var before = notify.Messages.Count;
        await gateway.HangUpAsync();
        await Eventually.GetAsync(() => Task.FromResult(notify.All.Skip(before).ToList()),
            m => m.FindIndex(x => x.StartsWith("RELOADING=1\n", StringComparison.Ordinal)) is var r and >= 0 && m.IndexOf("READY=1", r) > r,
            what: "RELOADING=1 then READY=1 after SIGHUP\n" + notify.Dump);
        Assert.DoesNotContain("WATCHDOG=1", notify.All);
    }
}
