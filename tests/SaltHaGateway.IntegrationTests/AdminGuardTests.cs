using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using SaltHaGateway.Control;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// Who may use the admin listener and the control socket, against a real gateway on loopback: foreign Host headers,
/// clients outside Gateway:Admin:Access, state-changing requests over TCP without (or with a wrong) token, and
/// browser-shaped requests (Origin, form content types) are refused, logged and counted.
/// </summary>
public sealed class AdminGuardTests
{
    private const string Token = "0123456789abcdef0123456789abcdef";

    private static async Task<GatewayProcess> StartAsync(Action<JsonObject> admin, Action<JsonObject>? control = null)
    {
        var upstream = "http://127.0.0.1:9";
        return await GatewayProcess.StartAsync((p, a) =>
        {
            var config = GatewayProcess.Config(p, a, [upstream]);
            var gateway = config["Gateway"]!.AsObject();
            admin(gateway["Admin"]!.AsObject());
            if (control is not null)
            {
                var c = new JsonObject();
                control(c);
                gateway["Control"] = c;
            }
            return config;
        });
    }

    [Fact]
    public async Task A_foreign_host_header_is_refused_and_ip_literals_localhost_and_configured_names_pass()
    {
        await using var gateway = await StartAsync(admin => admin["Hosts"] = new JsonArray("salt-a.example"));
        using var http = new HttpClient();
        async Task<HttpStatusCode> GetWithHost(string host)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.AdminPort}/healthz");
            request.Headers.Host = host;
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }
        Assert.Equal(HttpStatusCode.MisdirectedRequest, await GetWithHost("attacker.example"));
        Assert.Equal(HttpStatusCode.MisdirectedRequest, await GetWithHost($"attacker.example:{gateway.AdminPort}"));
        Assert.Equal(HttpStatusCode.OK, await GetWithHost($"127.0.0.1:{gateway.AdminPort}"));
        Assert.Equal(HttpStatusCode.OK, await GetWithHost($"localhost:{gateway.AdminPort}"));
        Assert.Equal(HttpStatusCode.OK, await GetWithHost("salt-a.example"));
        Assert.Equal(2, await gateway.MetricAsync("saltha_admin_refused_total{reason=\"host\"}"));
        Assert.Contains("refused GET /healthz from 127.0.0.1: host", gateway.Output);
    }

    [Fact]
    public async Task Clients_outside_the_admin_access_rules_get_403()
    {
        await using var gateway = await StartAsync(admin => admin["Access"] = "allow 127.0.0.1; deny all");
        using var from2 = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
                await socket.ConnectAsync(context.DnsEndPoint, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        });
        Assert.Equal(HttpStatusCode.Forbidden, (await from2.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/metrics")).StatusCode);
        Assert.Equal(1, await gateway.MetricAsync("saltha_admin_refused_total{reason=\"access\"}"));
    }

    [Fact]
    public async Task With_a_token_file_mutations_over_tcp_need_the_token_and_browser_shaped_requests_are_refused()
    {
        var dir = Directory.CreateTempSubdirectory("shg-token-").FullName;
        var tokenFile = Path.Combine(dir, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await using var gateway = await StartAsync(_ => { }, control => control["TokenFile"] = tokenFile);
        using var http = new HttpClient();
        var url = $"http://127.0.0.1:{gateway.AdminPort}/maintenance/on";

        async Task<HttpStatusCode> PostAsync(string? token, string? origin = null, string? contentType = null)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            if (origin is not null) request.Headers.Add("Origin", origin);
            if (contentType is not null) request.Content = new StringContent("state=on", Encoding.UTF8, contentType);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync(null));
        Assert.Equal(HttpStatusCode.Unauthorized, await PostAsync("0123456789abcdef0123456789abcdee"));
        Assert.Equal(HttpStatusCode.Forbidden, await PostAsync(Token, origin: "http://intranet.example"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(Token, contentType: "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, await PostAsync(Token, contentType: "text/plain"));
        Assert.Contains("\"on\": false", await http.GetStringAsync($"http://127.0.0.1:{gateway.AdminPort}/maintenance"));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(Token));
        Assert.Contains("\"on\": true", await http.GetStringAsync($"http://127.0.0.1:{gateway.AdminPort}/maintenance"));
        Assert.Equal(2, await gateway.MetricAsync("saltha_admin_refused_total{reason=\"token\"}"));
        Assert.Equal(1, await gateway.MetricAsync("saltha_admin_refused_total{reason=\"origin\"}"));
        Assert.Equal(2, await gateway.MetricAsync("saltha_admin_refused_total{reason=\"form\"}"));

        // The control socket refuses a browser-shaped request too (defence in depth: no browser reaches it).
        using var socket = ControlSocket.Client(gateway.ConfigFile + ".local/control.sock", TimeSpan.FromSeconds(10));
        using var viaSocket = new HttpRequestMessage(HttpMethod.Post, "/maintenance/off");
        viaSocket.Headers.Add("Origin", "null");
        Assert.Equal(HttpStatusCode.Forbidden, (await socket.SendAsync(viaSocket)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await socket.PostAsync("/maintenance/off", null)).StatusCode);
    }

    [Fact]
    public async Task A_token_file_others_can_read_stops_the_start_with_the_reason()
    {
        var dir = Directory.CreateTempSubdirectory("shg-token-").FullName;
        var tokenFile = Path.Combine(dir, "token");
        await File.WriteAllTextAsync(tokenFile, Token);
        File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var config = GatewayProcess.Config(TestPorts.Free(), TestPorts.Free(), ["http://127.0.0.1:9"]);
        config["Gateway"]!["Control"] = new JsonObject { ["TokenFile"] = tokenFile };
        var file = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(file, config.ToJsonString());
        var run = await GatewayProcess.RunVerbAsync("run", "--config", file);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Gateway:Control:TokenFile", run.StdErr);
        Assert.Contains("chmod 600", run.StdErr);
    }
}
