using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;
using SaltHaGateway.TestSupport;

namespace SaltHaGateway.IntegrationTests;

/// <summary>The gateway in front of salt-api masters that serve HTTPS with self-signed certificates, with nginx's
/// proxy_ssl_* behaviour: no verification by default, verification against exactly the trusted certificates when on,
/// a client certificate when configured, and a failed handshake reported as tls_error with its reason.</summary>
public sealed class UpstreamTlsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("shg-it-tls-").FullName;
    // The names a salt master's certificate typically has: its host name and its address.
    private readonly X509Certificate2 _master = TestCertificates.SelfSigned("salt-master", ["salt-master", "127.0.0.1"]);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed record Echo(string Method, string Path, string? Sni, string? ClientCertificate);

    private static async Task<Echo> GetOkAsync(GatewayProcess gateway, string path = "/minions")
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(gateway.Url, path));
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{response.StatusCode}\n{gateway.Output}");
        return (await response.Content.ReadFromJsonAsync<Echo>(new JsonSerializerOptions(JsonSerializerDefaults.Web)))!;
    }

    [Fact]
    public async Task By_default_a_self_signed_master_is_served_without_verification_and_without_sni()
    {
        await using var master = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address]));

        var echo = await GetOkAsync(gateway);
        Assert.Equal("/minions", echo.Path);
        // proxy_ssl_server_name off, as nginx's default.
        Assert.True(string.IsNullOrEmpty(echo.Sni));
    }

    [Fact]
    public async Task Verify_on_with_the_masters_certificate_trusted_and_a_matching_name_is_served()
    {
        var trusted = TestCertificates.WritePem(_master, _dir, "master").Certificate;
        await using var master = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = trusted,
            ["ProxySslName"] = "salt-master",
            ["ProxySslServerName"] = "on",
        }));

        var echo = await GetOkAsync(gateway);
        Assert.Equal("salt-master", echo.Sni);
        Assert.Equal(0, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"tls_error\"}"));
    }

    [Fact]
    public async Task Verify_on_without_a_name_checks_the_destination_address()
    {
        var trusted = TestCertificates.WritePem(_master, _dir, "master").Certificate;
        await using var master = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = trusted,
        }));

        var echo = await GetOkAsync(gateway);
        Assert.True(string.IsNullOrEmpty(echo.Sni));
    }

    [Fact]
    public async Task Verify_on_against_another_ca_answers_502_and_logs_and_counts_tls_error_not_connect_error()
    {
        var otherCa = TestCertificates.WritePem(TestCertificates.Authority("Other CA"), _dir, "other-ca").Certificate;
        await using var m1 = await EchoUpstream.StartAsync(_master);
        await using var m2 = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [m1.Address, m2.Address], new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = otherCa,
            ["ProxySslName"] = "salt-master",
        }));

        using var http = new HttpClient();
        // A POST with a body: nothing was sent before the handshake failed, so even it may go to the next server.
        using var response = await http.PostAsync(new Uri(gateway.Url, "/run"), new StringContent("""{"client":"local"}"""));
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.Equal(0, m1.Requests + m2.Requests);

        // The first server's handshake failed, the request went to the second, which failed too.
        Assert.Equal(1, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"tls_error\"}"));
        Assert.Equal(0, await gateway.MetricAsync("saltha_upstream_retries_total{upstream=\"act2\",reason=\"connect_error\"}"));
        await Eventually.GetAsync(() => Task.FromResult(gateway.Output), o => o.Contains($"server 127.0.0.1:{m2.Port}: TLS handshake failed (tls_error)"),
            what: "the tls_error warning");
        Assert.Contains("self-signed certificate \"CN=salt-master\" is not a trusted certificate", gateway.Output);
    }

    /// <param name="underNohup">
    /// Started with SIGHUP ignored, as under nohup: .NET leaves an inherited ignored signal ignored, so the gateway
    /// must undo that itself or `kill -HUP` is lost (nginx reloads either way).
    /// </param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replaced_trusted_certificate_file_is_applied_by_a_reload(bool underNohup)
    {
        var otherCa = TestCertificates.WritePem(TestCertificates.Authority("Other CA"), _dir, "trusted").Certificate;
        await using var master = await EchoUpstream.StartAsync(_master);
        string ConfigText(int p, int a)
        {
            var config = GatewayProcess.Config(p, a, [master.Address], new JsonObject
            {
                ["ProxySslVerify"] = "on",
                ["ProxySslTrustedCertificate"] = otherCa,
            });
            // max_fails=0: the failed try does not keep the server out for fail_timeout after the reload.
            config["ReverseProxy"]!["Clusters"]!["act2"]!["Destinations"]![$"127.0.0.1:{master.Port}"]!["Metadata"] = new JsonObject { ["MaxFails"] = "0" };
            return config.ToJsonString();
        }
        await using var gateway = await GatewayProcess.StartAsync(ConfigText, TestPorts.Free(), TestPorts.Free(), "run", [],
            wrapper: underNohup ? ["nohup"] : null);
        // The wrapper did hand the gateway an ignored SIGHUP (else this case would test nothing); the gateway has
        // its own handler now either way.
        if (underNohup) Assert.True(IgnoredUnderNohup(1));
        Assert.False(SignalMask("SigIgn", 1, gateway.Id));
        Assert.True(SignalMask("SigCgt", 1, gateway.Id));
        using var http = new HttpClient();
        using (var refused = await http.GetAsync(gateway.Url)) Assert.Equal(HttpStatusCode.BadGateway, refused.StatusCode);

        // Same path, new contents, JSON untouched: SIGHUP re-reads the file, as nginx -s reload does.
        TestCertificates.WritePem(_master, _dir, "trusted");
        await gateway.HangUpAsync();
        await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_generation"), v => v == 2, what: "the reload\n" + gateway.Output);
        var echo = await GetOkAsync(gateway);
        Assert.Equal("/minions", echo.Path);
    }

    private static bool IgnoredUnderNohup(int signal)
    {
        using var shell = Process.Start(new ProcessStartInfo("nohup", ["sh", "-c", "grep SigIgn: /proc/self/status"]) { RedirectStandardOutput = true })!;
        string line = shell.StandardOutput.ReadToEnd().Trim();
        shell.WaitForExit();
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    /// <summary>Whether <paramref name="signal"/> is set in a mask line (SigIgn, SigCgt) of /proc/PID/status.</summary>
    private static bool SignalMask(string field, int signal, int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith(field + ":", StringComparison.Ordinal));
        return (Convert.ToUInt64(line[(field.Length + 1)..].Trim(), 16) & (1UL << (signal - 1))) != 0;
    }

    [Fact]
    public async Task Server_name_on_with_an_address_destination_and_no_name_sends_no_sni()
    {
        await using var master = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslServerName"] = "on",
        }));
        // TLS forbids an IP address as SNI: the destination 127.0.0.1 is not sent.
        Assert.True(string.IsNullOrEmpty((await GetOkAsync(gateway)).Sni));
    }

    [Fact]
    public async Task A_name_mismatch_is_logged_as_such()
    {
        var trusted = TestCertificates.WritePem(_master, _dir, "master").Certificate;
        await using var master = await EchoUpstream.StartAsync(_master);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = trusted,
            ["ProxySslName"] = "other-master",
        }));

        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.Url);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await Eventually.GetAsync(() => Task.FromResult(gateway.Output), o => o.Contains("certificate does not match the name \"other-master\""),
            what: "the name mismatch warning");
    }

    [Fact]
    public async Task A_protocol_mismatch_is_logged_as_such()
    {
        await using var master = await EchoUpstream.StartAsync(_master, protocols: System.Security.Authentication.SslProtocols.Tls12);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslProtocols"] = "TLSv1.3",
        }));

        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.Url);
        Assert.Equal(HttpStatusCode.BadGateway, response.StatusCode);
        await Eventually.GetAsync(() => Task.FromResult(gateway.Output), o => o.Contains("protocol mismatch: the server accepts none of TLSv1.3"),
            what: "the protocol mismatch warning");
    }

    [Fact]
    public async Task The_client_certificate_is_presented_to_a_master_that_requires_one()
    {
        var ca = TestCertificates.Authority("Gateway CA");
        var (certificate, key) = TestCertificates.WritePem(TestCertificates.Issued(ca, "gateway", [], client: true), _dir, "gateway", withKey: true);
        await using var master = await EchoUpstream.StartAsync(_master, requireClientCertificate: true);
        await using var gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslCertificate"] = certificate,
            ["ProxySslCertificateKey"] = key,
        }));

        var echo = await GetOkAsync(gateway);
        Assert.Equal("CN=gateway", echo.ClientCertificate);
    }

    [Fact]
    public async Task An_https_check_verifies_as_the_cluster_does()
    {
        var otherCa = TestCertificates.WritePem(TestCertificates.Authority("Other CA"), _dir, "other-ca").Certificate;
        var trusted = TestCertificates.WritePem(_master, _dir, "master").Certificate;
        await using var master = await EchoUpstream.StartAsync(_master);
        JsonObject Cluster(int p, int a, string ca) => GatewayProcess.Config(p, a, [master.Address], new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = ca,
            ["ProxySslName"] = "salt-master",
            ["Check"] = "interval=200 rise=1 fall=1 timeout=1000 type=https",
            ["CheckHttpSend"] = "GET / HTTP/1.0\\r\\n\\r\\n",
        });
        await using var gateway = await GatewayProcess.StartAsync((p, a) => Cluster(p, a, otherCa));
        var up = $"saltha_upstream_up{{upstream=\"act2\",server=\"127.0.0.1:{master.Port}\"}}";
        await Eventually.GetAsync(() => gateway.MetricAsync(up), v => v == 0, what: "the check failing verification");

        await gateway.WriteConfigAsync(Cluster(gateway.Port, gateway.AdminPort, trusted).ToJsonString());
        await Eventually.GetAsync(() => gateway.MetricAsync(up), v => v == 1, what: "the check passing with the master's certificate trusted");
    }
}
