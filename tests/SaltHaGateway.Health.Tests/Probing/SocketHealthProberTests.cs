namespace SaltHaGateway.Health.Tests.Probing;

/// <summary>The probers against real loopback servers.</summary>
public sealed class SocketHealthProberTests
{
    private static readonly SocketHealthProber Prober = new();

    private static ProbeDefinition Probe(CheckType type, int port, string? hostHeader = null, string send = CheckSpec.DefaultHttpSend,
        bool verify = false, string host = "127.0.0.1")
        => new(host, port, hostHeader, type, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(5),
            type is CheckType.Http or CheckType.Https ? send : "", HttpStatusClassesParser.Default, verify);

    private static async Task<ProbeResult> Run(ProbeDefinition probe)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await Prober.ProbeAsync(probe, cts.Token);
    }

    [Fact]
    public async Task Tcp_succeeds_against_a_listener_with_a_fresh_connection_each_time()
    {
        await using var server = new LoopbackHttpServer();
        Assert.True((await Run(Probe(CheckType.Tcp, server.Port))).Success);
        Assert.True((await Run(Probe(CheckType.Tcp, server.Port))).Success);
    }

    [Fact]
    public async Task Tcp_checks_never_hold_their_socket_open()
    {
        // The module's stock tcp check keeps its socket and stops checking (yaoweibin#144); ours closes every time.
        await using var server = new LoopbackHttpServer();
        for (var i = 0; i < 3; i++) Assert.True((await Run(Probe(CheckType.Tcp, server.Port))).Success);
        await Eventually.True(() => Volatile.Read(ref server.ClosedByPeer) == 3, "every check connection closed by the prober");
        Assert.Equal(3, Volatile.Read(ref server.Accepted));
    }

    [Fact]
    public async Task Tcp_reports_a_refusing_port()
    {
        using var refusing = new RefusingPort();
        var result = await Run(Probe(CheckType.Tcp, refusing.Port));
        Assert.False(result.Success);
        Assert.Equal(ProbeReason.Refused, result.Reason);
    }

    [Fact]
    public async Task Tcp_to_a_black_holed_server_does_not_complete_before_cancellation()
    {
        using var hole = await BlackHoleListener.CreateAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Prober.ProbeAsync(Probe(CheckType.Tcp, hole.Port), cts.Token));
    }

    [Fact]
    public async Task Http_judges_the_status_line_class_and_sends_the_configured_bytes()
    {
        await using var server = new LoopbackHttpServer { Status = 500 };
        var failed = await Run(Probe(CheckType.Http, server.Port));
        Assert.Equal(ProbeReason.HttpStatus, failed.Reason);
        Assert.Equal(500, failed.HttpStatus);
        Assert.Equal("GET / HTTP/1.0\r\n\r\n", server.LastRequest);

        server.Status = 302;
        Assert.True((await Run(Probe(CheckType.Http, server.Port))).Success);
        server.Status = 200;
        var ok = await Run(Probe(CheckType.Http, server.Port, hostHeader: "salt.test:8090", send: "GET /ping HTTP/1.1\r\n\r\n"));
        Assert.True(ok.Success);
        Assert.Equal("GET /ping HTTP/1.1\r\nHost: salt.test:8090\r\n\r\n", server.LastRequest);
    }

    [Fact]
    public async Task Http_fails_on_a_reply_that_is_not_http()
    {
        await using var server = new LoopbackHttpServer(rawReply: "SSH-2.0-OpenSSH_9.6\r\n");
        var result = await Run(Probe(CheckType.Http, server.Port));
        Assert.Equal(ProbeReason.BadResponse, result.Reason);
    }

    [Fact]
    public async Task Http_fails_when_the_server_closes_without_answering()
    {
        await using var server = new LoopbackHttpServer(rawReply: "");
        var result = await Run(Probe(CheckType.Http, server.Port));
        Assert.False(result.Success);
        Assert.Equal(ProbeReason.Closed, result.Reason);
    }

    [Fact]
    public async Task Ssl_hello_and_https_against_a_self_signed_server()
    {
        using var cert = LoopbackHttpServer.SelfSignedCertificate("salt.test");
        await using var server = new LoopbackHttpServer(cert);

        Assert.True((await Run(Probe(CheckType.SslHello, server.Port))).Success);

        var https = await Run(Probe(CheckType.Https, server.Port, hostHeader: "salt.test:8443"));
        Assert.True(https.Success, https.Detail);
        Assert.Equal("salt.test", server.LastServerName);
        Assert.Contains("Host: salt.test:8443\r\n", server.LastRequest);

        var verified = await Run(Probe(CheckType.Https, server.Port, hostHeader: "salt.test", verify: true));
        Assert.Equal(ProbeReason.TlsFailed, verified.Reason);
    }

    [Fact]
    public async Task With_the_upstreams_tls_settings_checks_verify_exactly_when_the_proxy_does()
    {
        using var cert = LoopbackHttpServer.SelfSignedCertificate("salt.test");
        using var other = LoopbackHttpServer.SelfSignedCertificate("other.test");
        await using var server = new LoopbackHttpServer(cert);
        var https = Probe(CheckType.Https, server.Port, hostHeader: "salt.test");

        // Verification off (nginx's default): no SNI, the self-signed certificate is accepted.
        var plain = await Run(https with { Tls = UpstreamTls.Default });
        Assert.True(plain.Success, plain.Detail);
        Assert.True(string.IsNullOrEmpty(server.LastServerName));

        var trusting = new UpstreamTls { Verify = true, TrustedCertificates = [cert], Name = "salt.test", SendServerName = true };
        var verified = await Run(https with { Tls = trusting });
        Assert.True(verified.Success, verified.Detail);
        Assert.Equal("salt.test", server.LastServerName);

        var helloRejected = await Run(Probe(CheckType.SslHello, server.Port) with { Tls = trusting with { TrustedCertificates = [other] } });
        Assert.Equal(ProbeReason.TlsFailed, helloRejected.Reason);
        Assert.Contains("self-signed certificate \"CN=salt.test\" is not a trusted certificate", helloRejected.Detail);

        var wrongName = await Run(https with { Tls = trusting with { Name = "other.test" } });
        Assert.Equal(ProbeReason.TlsFailed, wrongName.Reason);
        Assert.Contains("does not match the name \"other.test\"", wrongName.Detail);
    }

    [Fact]
    public async Task Ssl_hello_fails_against_a_plain_http_server()
    {
        // Like nginx answering a TLS hello on a plain port: an HTTP 400 and a close.
        await using var server = new LoopbackHttpServer(rawReply: "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n", replyAtOnce: true);
        var result = await Run(Probe(CheckType.SslHello, server.Port));
        Assert.False(result.Success);
        Assert.Equal(ProbeReason.TlsFailed, result.Reason);
    }
}
