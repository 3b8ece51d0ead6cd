using System.Net;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>Today's /etc/nginx/conf.d/upstream.conf, with the two masters replaced by loopback nginx servers:
/// it imports, passes check-config and serves through the real gateway, with the check and ip_hash lines commented
/// out (as deployed) and in.</summary>
public sealed class NginxImportTests
{
    private static string TodaysConfig(int master1, int master2, bool uncomment) => $$"""
        upstream act2 {
          server 127.0.0.1:{{master1}};
          server 127.0.0.1:{{master2}};
          {{(uncomment ? "" : "#")}}check interval=3000 rise=2 fall=5 timeout=1000 type=tcp;
          {{(uncomment ? "" : "#")}}ip_hash;
        }
        server {
                listen 80;
                location / {
                        proxy_pass http://act2;
                        proxy_set_header Host $host:$server_port;
                }
        }
        """;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Todays_upstream_conf_imports_and_serves(bool uncommented)
    {
        await using var m1 = await NginxUpstream.StartAsync("master-1");
        await using var m2 = await NginxUpstream.StartAsync("master-2");
        var dir = Directory.CreateTempSubdirectory("shg-import-").FullName;
        var nginxFile = Path.Combine(dir, "upstream.conf");
        var gatewayFile = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(nginxFile, TodaysConfig(m1.Port, m2.Port, uncommented));

        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("import-nginx", nginxFile, "-o", gatewayFile);
        Assert.True(code == 0, stderr);
        var (checkCode, checkOut, checkErr) = await GatewayProcess.RunVerbAsync("check-config", "--config", gatewayFile);
        Assert.True(checkCode == 0, checkErr);
        Assert.Contains("test is successful", checkOut);

        // The imported config listens on port 80 like nginx; the test moves it to free loopback ports.
        var port = TestPorts.Free();
        var admin = TestPorts.Free();
        var imported = await File.ReadAllTextAsync(gatewayFile);
        await using var gateway = await GatewayProcess.StartAsync((_, _) => imported, port, admin, "run",
            $"--Gateway:Listen:0=http://127.0.0.1:{port}", $"--Gateway:Admin:Listen=http://127.0.0.1:{admin}");

        using var http = new HttpClient();
        var answers = new HashSet<string>();
        for (var i = 0; i < 6; i++) answers.Add((await http.GetStringAsync(gateway.Url)).Trim());
        if (uncommented) Assert.Single(answers); // ip_hash: one client, one master
        else Assert.Equal(["master-1", "master-2"], answers.Order());

        await (answers.Contains("master-1") ? m1 : m2).KillAsync();
        for (var i = 0; i < 6; i++)
        {
            using var response = await http.GetAsync(gateway.Url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_ssl_site_with_its_redirect_server_imports_and_serves_https_and_the_301()
    {
        await using var echo = await EchoUpstream.StartAsync();
        var dir = Directory.CreateTempSubdirectory("shg-import-").FullName;
        Directory.CreateDirectory(Path.Combine(dir, "ssl"));
        TestCertificate.Write(Path.Combine(dir, "ssl", "salt.crt"), Path.Combine(dir, "ssl", "salt.key"), "salt.example.test");
        var nginxFile = Path.Combine(dir, "nginx.conf");
        var gatewayFile = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(nginxFile, $$"""
            upstream salt_api { server 127.0.0.1:{{echo.Port}}; }
            server {
              listen 80;
              server_name salt.example.test;
              return 301 https://$host$request_uri;
            }
            server {
              listen 443 ssl http2;
              server_name salt.example.test;
              ssl_certificate ssl/salt.crt;
              ssl_certificate_key ssl/salt.key;
              ssl_protocols TLSv1.2 TLSv1.3;
              ssl_session_cache shared:SSL:10m;
              location / { proxy_pass http://salt_api; proxy_set_header X-Forwarded-Proto $scheme; }
            }
            """);

        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("import-nginx", nginxFile, "-o", gatewayFile);
        Assert.True(code == 0, stderr);
        Assert.Contains("ssl_session_cache", stderr);
        var (checkCode, _, checkErr) = await GatewayProcess.RunVerbAsync("check-config", "--config", gatewayFile);
        Assert.True(checkCode == 0, checkErr);

        // Ports 80 and 443 as imported, moved to free loopback ports.
        var (plain, https, admin) = (TestPorts.Free(), TestPorts.Free(), TestPorts.Free());
        var imported = await File.ReadAllTextAsync(gatewayFile);
        await using var gateway = await GatewayProcess.StartAsync((_, _) => imported, https, admin, "run",
            $"--Gateway:Listen:0=http://127.0.0.1:{plain}", $"--Gateway:Listen:1=https://127.0.0.1:{https}",
            $"--Gateway:RedirectHttps:0={plain}", $"--Gateway:Admin:Listen=http://127.0.0.1:{admin}");

        using var http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{plain}/login");
        request.Headers.Host = "salt.example.test";
        using var redirect = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MovedPermanently, redirect.StatusCode);
        Assert.Equal($"https://salt.example.test:{https}/login", redirect.Headers.Location!.OriginalString);

        using var served = await http.GetAsync($"https://127.0.0.1:{https}/login");
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
        Assert.Contains("\"x-forwarded-proto\":\"https\"", await served.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Untranslatable_directives_are_reported_with_their_line()
    {
        var dir = Directory.CreateTempSubdirectory("shg-import-").FullName;
        var nginxFile = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(nginxFile, """
            events {}
            http {
              upstream act2 { server 127.0.0.1:6868; }
              server {
                listen 80;
                location ~ ^/api { proxy_pass http://act2; }
                location / { proxy_pass http://act2; gzip on; }
              }
            }
            """);
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("import-nginx", nginxFile);
        Assert.Equal(0, code);
        Assert.Contains("nginx.conf:6:", stderr);
        Assert.Contains("nginx.conf:7:", stderr);
        Assert.Contains("gzip", stderr);
        Assert.Contains("\"ReverseProxy\"", stdout);
    }

    [Fact]
    public async Task Invalid_nginx_values_are_rejected_as_nginx_would()
    {
        var dir = Directory.CreateTempSubdirectory("shg-import-").FullName;
        var nginxFile = Path.Combine(dir, "upstream.conf");
        await File.WriteAllTextAsync(nginxFile, "upstream act2 {\n  server 127.0.0.1:6868 weight=0;\n}\n");
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("import-nginx", nginxFile);
        Assert.Equal(1, code);
        Assert.Contains("upstream.conf:2:", stderr);
        Assert.Equal("", stdout.Trim());
    }
}
