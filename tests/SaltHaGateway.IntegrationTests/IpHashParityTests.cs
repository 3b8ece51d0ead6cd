using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>The same clients, the same three servers, nginx's ip_hash and the gateway's: every client must land on
/// the same server, also when one server is marked down.</summary>
public sealed class IpHashParityTests
{
    private static readonly string[] Clients = Enumerable.Range(0, 40).Select(i => $"127.{(i * 37) % 256}.{(i * 91) % 256}.{i + 1}").ToArray();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Gateway_sends_each_client_where_nginx_does(bool secondDown)
    {
        await using var s1 = await NginxUpstream.StartAsync("s1");
        await using var s2 = await NginxUpstream.StartAsync("s2");
        await using var s3 = await NginxUpstream.StartAsync("s3");
        var nginxPort = TestPorts.Free();
        var dir = Directory.CreateTempSubdirectory("shg-iphash-").FullName;
        var down = secondDown ? " down" : "";
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
            worker_processes 1; daemon off; master_process off; pid {{dir}}/nginx.pid; error_log {{dir}}/error.log;
            events { worker_connections 64; }
            http { access_log off; proxy_temp_path {{dir}}; client_body_temp_path {{dir}};
              upstream three { ip_hash; server 127.0.0.1:{{s1.Port}}; server 127.0.0.1:{{s2.Port}} weight=2{{down}}; server 127.0.0.1:{{s3.Port}}; }
              server { listen 127.0.0.1:{{nginxPort}}; location / { proxy_pass http://three; } } }
            """);
        var startInfo = new ProcessStartInfo("nginx") { UseShellExecute = false };
        foreach (var a in new[] { "-c", Path.Combine(dir, "nginx.conf"), "-p", dir }) startInfo.ArgumentList.Add(a);
        using var nginx = Process.Start(startInfo)!;
        try
        {
            await TestPorts.WaitUntilListeningAsync(nginxPort, TimeSpan.FromSeconds(10));
            await using var gateway = await GatewayProcess.StartAsync((p, a) =>
            {
                var config = GatewayProcess.Config(p, a, [s1.Address, s2.Address, s3.Address], clusterMetadata: new JsonObject { ["Balance"] = "ip_hash" });
                var s2Meta = new JsonObject { ["Weight"] = "2" };
                if (secondDown) s2Meta["Down"] = "true";
                config["ReverseProxy"]!["Clusters"]!["act2"]!["Destinations"]![$"127.0.0.1:{s2.Port}"]!["Metadata"] = s2Meta;
                return config;
            });
            foreach (var client in Clients)
            {
                var viaNginx = await GetFromAsync(client, nginxPort);
                var viaGateway = await GetFromAsync(client, gateway.Port);
                Assert.True(viaNginx == viaGateway, $"client {client}: nginx chose {viaNginx}, gateway chose {viaGateway}");
            }
        }
        finally
        {
            nginx.Kill();
            await nginx.WaitForExitAsync();
        }
    }

    private static async Task<string> GetFromAsync(string sourceAddress, int port)
    {
        using var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                socket.Bind(new IPEndPoint(IPAddress.Parse(sourceAddress), 0));
                await socket.ConnectAsync(IPAddress.Loopback, port, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var http = new HttpClient(handler);
        return (await http.GetStringAsync($"http://127.0.0.1:{port}/")).Trim();
    }
}
