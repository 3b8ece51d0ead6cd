using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// nginx's <c>listen 443 ssl</c> with <c>ssl_protocols TLSv1.3</c>, next to <c>listen 80; return 301
/// https://$host$request_uri;</c>: the real gateway on loopback with a self-signed certificate made here. The https
/// listener is the first one, so the start-up warm-up goes over TLS.
/// </summary>
public sealed class TlsListenerTests : IAsyncLifetime
{
    private EchoUpstream _echo = null!;
    private GatewayProcess _gateway = null!;
    private string _dir = null!;
    private int _plainPort;

    private string CertificateFile => Path.Combine(_dir, "gateway.crt");
    private string KeyFile => Path.Combine(_dir, "gateway.key");

    public async Task InitializeAsync()
    {
        _dir = Directory.CreateTempSubdirectory("shg-tls-").FullName;
        TestCertificate.Write(CertificateFile, KeyFile, "first.example.test");
        _echo = await EchoUpstream.StartAsync();
        _plainPort = TestPorts.Free();
        _gateway = await GatewayProcess.StartAsync((p, a) =>
        {
            var config = GatewayProcess.Config(p, a, [_echo.Address]);
            var gateway = config["Gateway"]!.AsObject();
            gateway["Listen"] = new JsonArray($"https://127.0.0.1:{p}", $"http://127.0.0.1:{_plainPort}");
            gateway["Tls"] = new JsonObject { ["Certificate"] = CertificateFile, ["CertificateKey"] = KeyFile, ["Protocols"] = "TLSv1.3" };
            gateway["RedirectHttps"] = new JsonArray(_plainPort);
            return config;
        });
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _echo.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    private Uri HttpsUrl(string path = "/") => new($"https://127.0.0.1:{_gateway.Port}{path}");

    /// <summary>A client that takes the test's self-signed certificate.</summary>
    private static HttpClient Client(bool http2 = false) =>
        new(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        })
        {
            DefaultRequestVersion = http2 ? HttpVersion.Version20 : HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

    /// <summary>Completes a TLS handshake with the proxy listener and returns the certificate it was shown.</summary>
    private async Task<X509Certificate2> HandshakeAsync(SslProtocols protocols)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, _gateway.Port);
        await using var ssl = new SslStream(tcp.GetStream());
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "first.example.test",
            EnabledSslProtocols = protocols,
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        return new X509Certificate2(ssl.RemoteCertificate!);
    }

    private sealed record Echo(string Method, string Path, Dictionary<string, string> Headers, long BodyLength);

    [Fact]
    public async Task An_https_request_is_proxied_to_the_plain_upstream_over_http2_negotiated_by_alpn()
    {
        using var http = Client(http2: true);
        using var response = await http.GetAsync(HttpsUrl("/minions?x=1"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpVersion.Version20, response.Version);
        var echo = (await response.Content.ReadFromJsonAsync<Echo>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
        Assert.Equal("/minions?x=1", echo.Path);
        Assert.Equal("https", echo.Headers["x-forwarded-proto"]);
        // The warm-up went through the https listener to the admin listener, never to the upstream.
        Assert.Equal(1, _echo.Requests);
        await Eventually.GetAsync(() => Task.FromResult(_gateway.Output), o => o.Contains("\"GET /minions?x=1 HTTP/2\" 200", StringComparison.Ordinal),
            what: "the access log line of the HTTP/2 request");

        using var http11 = Client();
        using var plain = await http11.GetAsync(HttpsUrl());
        Assert.Equal(HttpVersion.Version11, plain.Version);
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Fact]
    public async Task Protocols_are_honoured_a_tls12_only_client_is_refused()
    {
        await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync(SslProtocols.Tls12));
        using var accepted = await HandshakeAsync(SslProtocols.Tls13);
        Assert.NotNull(accepted);
    }

    [Fact]
    public async Task The_plain_redirect_port_answers_301_to_https_with_host_and_request_uri_and_the_admin_listener_is_not_redirected()
    {
        using var http = Client();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{_plainPort}/login?next=%2Fjobs&a=b");
        request.Headers.Host = "Salt.Example.Test:8080";
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.MovedPermanently, response.StatusCode);
        Assert.Equal($"https://salt.example.test:{_gateway.Port}/login?next=%2Fjobs&a=b", response.Headers.Location!.OriginalString);
        Assert.Equal(0, _echo.Requests);

        using var healthz = await http.GetAsync($"http://127.0.0.1:{_gateway.AdminPort}/healthz");
        Assert.Equal(HttpStatusCode.OK, healthz.StatusCode);
    }

    [Fact]
    public async Task A_renewed_certificate_is_picked_up_by_new_connections_without_a_restart()
    {
        using (var before = await HandshakeAsync(SslProtocols.Tls13))
            Assert.Equal("CN=first.example.test", before.Subject);

        // Half-way through a renewal (the new certificate, still the old key) the old pair stays in use, with an error.
        var renewedCertificate = Path.Combine(_dir, "renewed.crt");
        var renewedKey = Path.Combine(_dir, "renewed.key");
        TestCertificate.Write(renewedCertificate, renewedKey, "renewed.example.test");
        File.Move(renewedCertificate, CertificateFile, overwrite: true);
        await Eventually.GetAsync(async () => { using var c = await HandshakeAsync(SslProtocols.Tls13); return _gateway.Output; },
            o => o.Contains("TLS certificate not reloaded", StringComparison.Ordinal) && o.Contains(KeyFile, StringComparison.Ordinal),
            what: "an error naming the key file");
        using (var kept = await HandshakeAsync(SslProtocols.Tls13))
            Assert.Equal("CN=first.example.test", kept.Subject);

        File.Move(renewedKey, KeyFile, overwrite: true);
        var subject = await Eventually.GetAsync(async () => { using var c = await HandshakeAsync(SslProtocols.Tls13); return c.Subject; },
            s => s == "CN=renewed.example.test", what: "the renewed certificate");
        Assert.Equal("CN=renewed.example.test", subject);
        using var http = Client(http2: true);
        using var response = await http.GetAsync(HttpsUrl());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

/// <summary>The Tls section in the real binary: cipher restriction, start errors and check-config warnings.</summary>
public sealed class TlsConfigTests
{
    private static string Config(string dir, string certificate, string key, string listen = "https://127.0.0.1:1") =>
        new JsonObject
        {
            ["Gateway"] = new JsonObject
            {
                ["Listen"] = new JsonArray(listen),
                ["Admin"] = new JsonObject { ["Listen"] = "http://127.0.0.1:2" },
                ["StateDirectory"] = dir,
                ["Tls"] = new JsonObject { ["Certificate"] = certificate, ["CertificateKey"] = key },
            },
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["r"] = new JsonObject { ["ClusterId"] = "c", ["Match"] = new JsonObject { ["Path"] = "/{**catch-all}" } } },
                ["Clusters"] = new JsonObject { ["c"] = new JsonObject { ["Destinations"] = new JsonObject { ["d"] = new JsonObject { ["Address"] = "http://127.0.0.1:3" } } } },
            },
        }.ToJsonString();

    [Fact]
    public async Task Ciphers_in_openssl_names_restrict_the_tls12_suites()
    {
        await using var echo = await EchoUpstream.StartAsync();
        var dir = Directory.CreateTempSubdirectory("shg-tls-").FullName;
        try
        {
            var (certificate, key) = (Path.Combine(dir, "c.pem"), Path.Combine(dir, "k.pem"));
            TestCertificate.Write(certificate, key, "gateway.example.test");
            await using var gateway = await GatewayProcess.StartAsync((p, a) =>
            {
                var config = GatewayProcess.Config(p, a, [echo.Address]);
                config["Gateway"]!["Listen"] = new JsonArray($"https://127.0.0.1:{p}");
                config["Gateway"]!["Tls"] = new JsonObject
                {
                    ["Certificate"] = certificate, ["CertificateKey"] = key, ["Protocols"] = "TLSv1.2", ["Ciphers"] = "ECDHE-RSA-AES256-GCM-SHA384:!aNULL",
                };
                return config;
            });

            async Task<TlsCipherSuite> HandshakeAsync(TlsCipherSuite[]? offered)
            {
                using var tcp = new TcpClient();
                await tcp.ConnectAsync(IPAddress.Loopback, gateway.Port);
                await using var ssl = new SslStream(tcp.GetStream());
                await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = "gateway.example.test",
                    EnabledSslProtocols = SslProtocols.Tls12,
                    CipherSuitesPolicy = offered is null ? null : new CipherSuitesPolicy(offered),
                    RemoteCertificateValidationCallback = (_, _, _, _) => true,
                });
                return ssl.NegotiatedCipherSuite;
            }

            Assert.Equal(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, await HandshakeAsync(null));
            await Assert.ThrowsAnyAsync<Exception>(() => HandshakeAsync([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_missing_key_file_is_a_clear_start_error_naming_the_key_and_the_file()
    {
        var dir = Directory.CreateTempSubdirectory("shg-tls-").FullName;
        try
        {
            TestCertificate.Write(Path.Combine(dir, "c.pem"), Path.Combine(dir, "k.pem"), "gateway.example.test");
            var file = Path.Combine(dir, "gateway.json");
            await File.WriteAllTextAsync(file, Config(dir, Path.Combine(dir, "c.pem"), Path.Combine(dir, "missing.key")));
            var (code, _, stderr) = await GatewayProcess.RunVerbAsync("run", "--config", file);
            Assert.Equal(1, code);
            Assert.Contains($"Gateway:Tls:CertificateKey: {Path.Combine(dir, "missing.key")}: no such file", stderr);
            Assert.DoesNotContain("Unhandled exception", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Check_config_warns_about_an_expired_certificate_and_names_a_key_that_does_not_match()
    {
        var dir = Directory.CreateTempSubdirectory("shg-tls-").FullName;
        try
        {
            string Pem(string name) => Path.Combine(dir, name);
            TestCertificate.Write(Pem("old.crt"), Pem("old.key"), "gateway.example.test", notAfter: DateTimeOffset.UtcNow.AddDays(-1));
            TestCertificate.Write(Pem("other.crt"), Pem("other.key"), "other.example.test");
            var file = Pem("gateway.json");

            await File.WriteAllTextAsync(file, Config(dir, Pem("old.crt"), Pem("old.key")));
            var (code, _, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", file);
            Assert.Equal(0, code);
            Assert.Contains("warning: Gateway:Tls:Certificate: the certificate in " + Pem("old.crt") + " expired on", stderr);

            await File.WriteAllTextAsync(file, Config(dir, Pem("old.crt"), Pem("other.key")));
            (code, _, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", file);
            Assert.Equal(1, code);
            Assert.Contains($"Gateway:Tls:CertificateKey: the key in {Pem("other.key")} does not match the certificate in {Pem("old.crt")}", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
