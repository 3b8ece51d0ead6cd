using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Hosting;

namespace SaltHaGateway.Tests.Hosting;

public sealed class TlsCertificateSourceTests : IDisposable
{
    private readonly TempPemPair _pem = new("first.example.test");
    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);

    public void Dispose() => _pem.Dispose();

    private TlsCertificateSource Source() =>
        new(new TlsOptions(_pem.Certificate, _pem.Key, System.Security.Authentication.SslProtocols.Tls13, null), _time, NullLogger<TlsCertificateSource>.Instance);

    [Fact]
    public void Replaced_files_are_picked_up_once_the_check_interval_has_passed()
    {
        using var source = Source();
        Assert.Equal("CN=first.example.test", source.Certificate.Subject);
        _pem.Write("renewed.example.test");
        Assert.Equal("CN=first.example.test", source.Certificate.Subject);
        _time.Advance(TlsCertificateSource.CheckInterval);
        Assert.Equal("CN=renewed.example.test", source.Certificate.Subject);
        Assert.Same(source.Certificate, source.ServerOptions().ServerCertificateContext!.TargetCertificate);
    }

    [Fact]
    public void A_pair_that_does_not_load_keeps_the_old_certificate_until_the_files_change_again()
    {
        using var source = Source();
        File.WriteAllText(_pem.Key, "-----BEGIN PRIVATE KEY-----\ntruncated\n");
        _time.Advance(TlsCertificateSource.CheckInterval);
        Assert.Equal("CN=first.example.test", source.Certificate.Subject);
        _pem.Write("renewed.example.test");
        _time.Advance(TlsCertificateSource.CheckInterval);
        Assert.Equal("CN=renewed.example.test", source.Certificate.Subject);
    }

    [Fact]
    public void Handshakes_offer_h2_and_http11_and_the_configured_protocols()
    {
        using var source = Source();
        var options = source.ServerOptions();
        Assert.Equal([System.Net.Security.SslApplicationProtocol.Http2, System.Net.Security.SslApplicationProtocol.Http11], options.ApplicationProtocols);
        Assert.Equal(System.Security.Authentication.SslProtocols.Tls13, options.EnabledSslProtocols);
        Assert.Null(options.CipherSuitesPolicy);
    }
}
