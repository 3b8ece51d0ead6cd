using System.Net;
using System.Text.Json;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// <c>maintenance on|off</c> and <c>status</c> against a real gateway on loopback: the switch goes through the
/// root-only control socket, drains the servers that run on this node, survives a restart, and cannot be thrown
/// over the admin TCP listener.
/// </summary>
public sealed class MaintenanceTests
{
    [Fact]
    public async Task Maintenance_drains_local_servers_persists_across_a_restart_and_is_refused_over_tcp()
    {
        await using var local = await EchoUpstream.StartAsync();
        var port = TestPorts.Free();
        var adminPort = TestPorts.Free();
        string Config(int p, int a) => GatewayProcess.Config(p, a, [local.Address]).ToJsonString();
        var gateway = await GatewayProcess.StartAsync(Config, port, adminPort, "run");
        try
        {
            using var http = new HttpClient();
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.Url)).StatusCode);

            // Over TCP the switch is refused (no token file configured): it lives on the control socket.
            using var tcp = await http.PostAsync($"http://127.0.0.1:{adminPort}/maintenance/on", null);
            Assert.Equal(HttpStatusCode.MethodNotAllowed, tcp.StatusCode);
            Assert.Contains("control socket", await tcp.Content.ReadAsStringAsync());
            Assert.False(await MaintenanceOnAsync(http, adminPort));

            var on = await GatewayProcess.RunVerbAsync("maintenance", "on", "--config", gateway.ConfigFile);
            Assert.True(on.ExitCode == 0, on.StdErr + on.StdOut);
            Assert.Contains($"act2/127.0.0.1:{local.Port}", on.StdOut);
            Assert.True(await MaintenanceOnAsync(http, adminPort));
            // The only server runs on this node and is drained: no new request reaches it.
            var before = local.Requests;
            Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync(gateway.Url)).StatusCode);
            Assert.Equal(before, local.Requests);
            Assert.Equal(1, await gateway.MetricAsync("saltha_maintenance"));

            var status = await GatewayProcess.RunVerbAsync("status", "--config", gateway.ConfigFile);
            Assert.True(status.ExitCode == 0, status.StdErr);
            Assert.Matches($@"act2\s+127\.0\.0\.1:{local.Port}\s+drained", status.StdOut);
            Assert.Matches(@"\(this\)\s+not configured\s+ON since", status.StdOut);

            // A restart comes back in maintenance.
            await gateway.DisposeAsync(keepFiles: true);
            gateway = await GatewayProcess.StartAsync(Config, port, adminPort, "run", [], wrapper: null, configFile: gateway.ConfigFile);
            Assert.True(await MaintenanceOnAsync(http, adminPort));
            Assert.Contains("stays on until `salt-ha-gateway maintenance off`", gateway.Output);
            Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync(gateway.Url)).StatusCode);

            var off = await GatewayProcess.RunVerbAsync("maintenance", "off", "--config", gateway.ConfigFile);
            Assert.True(off.ExitCode == 0, off.StdErr);
            Assert.False(await MaintenanceOnAsync(http, adminPort));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(gateway.Url)).StatusCode);
        }
        finally
        {
            await gateway.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_maintenance_verb_says_what_is_wrong_when_no_gateway_listens()
    {
        var dir = Directory.CreateTempSubdirectory("shg-it-").FullName;
        var file = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(file, GatewayProcess.Config(TestPorts.Free(), TestPorts.Free(), ["http://127.0.0.1:9"]).ToJsonString());
        var result = await GatewayProcess.RunVerbAsync("maintenance", "on", "--config", file);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("cannot reach the gateway's control socket", result.StdErr);
        Assert.Contains(file + ".local/control.sock", result.StdErr);
    }

    private static async Task<bool> MaintenanceOnAsync(HttpClient http, int adminPort)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"http://127.0.0.1:{adminPort}/maintenance"));
        return doc.RootElement.GetProperty("on").GetBoolean();
    }
}
