using System.Diagnostics;
using System.Net;
using System.Security.Authentication;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;
using SaltHaGateway.TestSupport;

namespace SaltHaGateway.IntegrationTests;

/// <summary>nginx and the gateway in front of the same self-signed HTTPS master with the same proxy_ssl_* settings
/// must agree on which requests are served (200) and which fail the handshake (502).</summary>
public sealed class UpstreamTlsParityTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shg-it-tls-parity-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public enum Trust { None, Master, OtherCa }

    [Theory]
    [InlineData("defaults: no verification", Trust.None, null, null, HttpStatusCode.OK)]
    [InlineData("verify with the master's own certificate and its name", Trust.Master, "salt-master", null, HttpStatusCode.OK)]
    [InlineData("verify against another CA", Trust.OtherCa, "salt-master", null, HttpStatusCode.BadGateway)]
    [InlineData("verify a name the certificate lacks", Trust.Master, "other-master", null, HttpStatusCode.BadGateway)]
    [InlineData("no common protocol", Trust.None, null, "TLSv1.3", HttpStatusCode.BadGateway)]
    public async Task Nginx_and_the_gateway_agree(string scenario, Trust trust, string? name, string? protocols, HttpStatusCode expected)
    {
        var certificate = TestCertificates.SelfSigned("salt-master", ["salt-master", "127.0.0.1"]);
        var trusted = trust switch
        {
            Trust.Master => TestCertificates.WritePem(certificate, _dir, "master").Certificate,
            Trust.OtherCa => TestCertificates.WritePem(TestCertificates.Authority("Other CA"), _dir, "other-ca").Certificate,
            _ => null,
        };
        await using var master = await EchoUpstream.StartAsync(certificate, protocols: SslProtocols.Tls12);

        var directives = new List<string>();
        // nginx's proxy_connect_timeout default, as the nginx beside it has (see the depth test below).
        var metadata = new JsonObject { ["ConnectTimeout"] = "60s" };
        if (trusted is not null)
        {
            directives.Add("proxy_ssl_verify on;");
            directives.Add($"proxy_ssl_trusted_certificate {trusted};");
            metadata["ProxySslVerify"] = "on";
            metadata["ProxySslTrustedCertificate"] = trusted;
        }
        if (name is not null)
        {
            directives.Add($"proxy_ssl_name {name};");
            metadata["ProxySslName"] = name;
        }
        if (protocols is not null)
        {
            directives.Add($"proxy_ssl_protocols {protocols};");
            metadata["ProxySslProtocols"] = protocols;
        }

        var nginxPort = TestPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"), $$"""
            worker_processes 1; daemon off; master_process off; pid {{_dir}}/nginx.pid; error_log {{_dir}}/error.log;
            events { worker_connections 64; }
            http { access_log off; proxy_temp_path {{_dir}}; client_body_temp_path {{_dir}};
              server { listen 127.0.0.1:{{nginxPort}};
                location / { proxy_pass {{master.Address}}; {{string.Join(' ', directives)}} } } }
            """);
        var startInfo = new ProcessStartInfo("nginx") { UseShellExecute = false };
        foreach (var a in new[] { "-c", Path.Combine(_dir, "nginx.conf"), "-p", _dir }) startInfo.ArgumentList.Add(a);
        using var nginx = Process.Start(startInfo)!;
        try
        {
            await TestPorts.WaitUntilListeningAsync(nginxPort, TimeSpan.FromSeconds(10));
            await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], metadata));
            using var http = new HttpClient();
            using var fromNginx = await http.GetAsync($"http://127.0.0.1:{nginxPort}/minions");
            using var fromGateway = await http.GetAsync(new Uri(gateway.Url, "/minions"));
            Assert.True(expected == fromNginx.StatusCode, $"{scenario}: nginx answered {fromNginx.StatusCode}\n{await File.ReadAllTextAsync(Path.Combine(_dir, "error.log"))}");
            Assert.True(expected == fromGateway.StatusCode, $"{scenario}: the gateway answered {fromGateway.StatusCode}\n{gateway.Output}");
        }
        finally
        {
            nginx.Kill();
            await nginx.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData(0, HttpStatusCode.BadGateway)]
    [InlineData(1, HttpStatusCode.OK)]
    public async Task Nginx_and_the_gateway_count_the_verify_depth_alike(int depth, HttpStatusCode expected)
    {
        // root → intermediate → master: one intermediate certificate, which depth 0 refuses and nginx's default 1 allows.
        var root = TestCertificates.Authority("Salt Root");
        var intermediate = TestCertificates.Issued(root, "Salt Intermediate", [], ca: true);
        var leaf = TestCertificates.Issued(intermediate, "salt-master", ["salt-master"]);
        var trusted = TestCertificates.WritePem(root, _dir, "root").Certificate;
        var (leafPem, leafKey) = TestCertificates.WritePem(leaf, _dir, "master", withKey: true);
        var chain = Path.Combine(_dir, "chain.pem");
        await File.WriteAllTextAsync(chain, await File.ReadAllTextAsync(leafPem) + intermediate.ExportCertificatePem() + "\n");

        // One nginx: the master over HTTPS with its chain, and nginx as the proxy in front of it.
        var masterPort = TestPorts.Free();
        var nginxPort = TestPorts.Free();
        await File.WriteAllTextAsync(Path.Combine(_dir, "nginx.conf"), $$"""
            worker_processes 1; daemon off; master_process off; pid {{_dir}}/nginx.pid; error_log {{_dir}}/error.log;
            events { worker_connections 64; }
            http { access_log off; proxy_temp_path {{_dir}}; client_body_temp_path {{_dir}};
              server { listen 127.0.0.1:{{masterPort}} ssl; ssl_certificate {{chain}}; ssl_certificate_key {{leafKey}};
                location / { return 200 "master\n"; } }
              server { listen 127.0.0.1:{{nginxPort}};
                location / { proxy_pass https://127.0.0.1:{{masterPort}}; proxy_ssl_verify on;
                  proxy_ssl_trusted_certificate {{trusted}}; proxy_ssl_name salt-master; proxy_ssl_verify_depth {{depth}}; } } }
            """);
        var startInfo = new ProcessStartInfo("nginx") { UseShellExecute = false };
        foreach (var a in new[] { "-c", Path.Combine(_dir, "nginx.conf"), "-p", _dir }) startInfo.ArgumentList.Add(a);
        using var nginx = Process.Start(startInfo)!;
        try
        {
            await TestPorts.WaitUntilListeningAsync(nginxPort, TimeSpan.FromSeconds(10));
            await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [$"https://127.0.0.1:{masterPort}"], new JsonObject
            {
                ["ProxySslVerify"] = "on",
                ["ProxySslTrustedCertificate"] = trusted,
                ["ProxySslName"] = "salt-master",
                ["ProxySslVerifyDepth"] = depth.ToString(System.Globalization.CultureInfo.InvariantCulture),
                // nginx's proxy_connect_timeout default, as the nginx beside it has: the handshake is part of the
                // connect, and a first handshake on a loaded machine can outlast the gateway's 3 s default.
                ["ConnectTimeout"] = "60s",
            }));
            using var http = new HttpClient();
            using var fromNginx = await http.GetAsync($"http://127.0.0.1:{nginxPort}/");
            using var fromGateway = await http.GetAsync(gateway.Url);
            Assert.True(expected == fromNginx.StatusCode, $"depth {depth}: nginx answered {fromNginx.StatusCode}\n{await File.ReadAllTextAsync(Path.Combine(_dir, "error.log"))}");
            Assert.True(expected == fromGateway.StatusCode, $"depth {depth}: the gateway answered {fromGateway.StatusCode}\n{gateway.Output}");
        }
        finally
        {
            nginx.Kill();
            await nginx.WaitForExitAsync();
        }
    }
}
