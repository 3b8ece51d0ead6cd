using System.Security.Authentication;
using Microsoft.Extensions.Configuration;
using SaltHaGateway.Hosting;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Tests.Hosting;

public sealed class TlsOptionsTests : IDisposable
{
    private readonly TempPemPair _pem = new();

    public void Dispose() => _pem.Dispose();

    private static (GatewayOptions? Options, List<ConfigError> Errors, List<ConfigError> Warnings) Parse(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var errors = new List<ConfigError>();
        var warnings = new List<ConfigError>();
        return (GatewayOptions.Parse(configuration, errors, warnings, TimeProvider.System), errors, warnings);
    }

    private (string, string)[] Https(params (string, string)[] more) =>
    [
        ("Gateway:Listen:0", "https://*:443"), ("Gateway:Listen:1", "http://*:80"),
        ("Gateway:Tls:Certificate", _pem.Certificate), ("Gateway:Tls:CertificateKey", _pem.Key), .. more,
    ];

    [Fact]
    public void An_https_listener_with_a_certificate_and_key_defaults_to_tls12_and_tls13_and_the_platform_suites()
    {
        var (options, errors, warnings) = Parse(Https());
        Assert.Empty(errors);
        Assert.Empty(warnings);
        Assert.True(options!.Listen[0].Https);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.Tls!.Protocols);
        Assert.Null(options.Tls.CipherSuites);
        Assert.Equal(443, options.HttpsPort);
    }

    [Fact]
    public void An_https_listener_without_a_tls_section_is_an_error()
    {
        var (_, errors, _) = Parse(("Gateway:Listen:0", "https://*:443"));
        var error = Assert.Single(errors);
        Assert.Equal("Gateway:Tls", error.Path);
        Assert.Contains("needs Certificate and CertificateKey", error.Message);
    }

    [Theory]
    [InlineData("Gateway:Tls:CertificateKey", "key.pem", "Gateway:Tls:CertificateKey", "\"key.pem\" is not an absolute path")]
    [InlineData("Gateway:Tls:CertificateKey", "/nonexistent/key.pem", "Gateway:Tls:CertificateKey", "/nonexistent/key.pem: no such file")]
    [InlineData("Gateway:Tls:Certificate", "", "Gateway:Tls:Certificate", "missing")]
    [InlineData("Gateway:Tls:Protocols", "TLSv1 TLSv1.2", "Gateway:Tls:Protocols", "\"TLSv1\" is obsolete")]
    [InlineData("Gateway:Tls:Protocols", "TLSv1.4", "Gateway:Tls:Protocols", "\"TLSv1.4\" is not TLSv1.2 or TLSv1.3")]
    [InlineData("Gateway:Tls:Ciphers", "ECDHE-RSA-AES128-GCM-SHA257", "Gateway:Tls:Ciphers", "not an OpenSSL cipher name")]
    [InlineData("Gateway:Tls:Chain", "x", "Gateway:Tls:Chain", "unknown key; expected Certificate")]
    [InlineData("Gateway:Admin:Listen", "https://127.0.0.1:9145", "Gateway:Admin:Listen", "plain http://")]
    [InlineData("Gateway:RedirectHttps:0", "443", "Gateway:RedirectHttps:0", "port 443 is not a plain http:// listener")]
    [InlineData("Gateway:RedirectHttps:0", "eighty", "Gateway:RedirectHttps:0", "\"eighty\" is not a port number")]
    [InlineData("Gateway:RedirectHttps", "80", "Gateway:RedirectHttps", "must be an array of ports")]
    public void Bad_values_are_named_by_their_config_path(string key, string value, string path, string message)
    {
        var (_, errors, _) = Parse([.. Https().Where(v => v.Item1 != key), (key, value)]);
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_key_of_another_certificate_is_an_error_naming_both_files()
    {
        var other = Path.Combine(_pem.Dir, "other.key");
        _pem.Write("other.example.test", certificate: Path.Combine(_pem.Dir, "other.crt"), key: other);
        var (_, errors, _) = Parse([.. Https().Where(v => v.Item1 != "Gateway:Tls:CertificateKey"), ("Gateway:Tls:CertificateKey", other)]);
        var error = Assert.Single(errors);
        Assert.Equal("Gateway:Tls:CertificateKey", error.Path);
        Assert.Equal($"the key in {other} does not match the certificate in {_pem.Certificate}", error.Message);
    }

    [Fact]
    public void A_certificate_file_without_a_certificate_is_an_error()
    {
        File.WriteAllText(_pem.Certificate, "not a certificate\n");
        var (_, errors, _) = Parse(Https());
        var error = Assert.Single(errors);
        Assert.Equal("Gateway:Tls:Certificate", error.Path);
        Assert.Contains(_pem.Certificate, error.Message);
    }

    [Fact]
    public void An_expired_certificate_is_a_warning_not_an_error()
    {
        _pem.Write("gateway.example.test", notAfter: DateTimeOffset.UtcNow.AddDays(-2));
        var (options, errors, warnings) = Parse(Https());
        Assert.Empty(errors);
        Assert.NotNull(options!.Tls);
        var warning = Assert.Single(warnings);
        Assert.Equal("Gateway:Tls:Certificate", warning.Path);
        Assert.Contains("expired on", warning.Message);
    }

    [Fact]
    public void Protocols_and_ciphers_in_nginx_syntax()
    {
        var (options, errors, warnings) = Parse(Https(("Gateway:Tls:Protocols", "TLSv1.3"), ("Gateway:Tls:Ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256")));
        Assert.Empty(errors);
        Assert.Equal(SslProtocols.Tls13, options!.Tls!.Protocols);
        Assert.Contains(System.Net.Security.TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, options.Tls.CipherSuites!);
        Assert.Equal("Gateway:Tls:Ciphers", Assert.Single(warnings).Path);   // TLS 1.2 suites, but no TLSv1.2
    }

    [Fact]
    public void Redirect_ports_go_to_the_first_https_listener()
    {
        var (options, errors, _) = Parse(
        [
            ("Gateway:Listen:0", "http://*:8080"), ("Gateway:Listen:1", "https://127.0.0.1:8443"),
            ("Gateway:Tls:Certificate", _pem.Certificate), ("Gateway:Tls:CertificateKey", _pem.Key), ("Gateway:RedirectHttps:0", "8080"),
        ]);
        Assert.Empty(errors);
        Assert.Equal([8080], options!.RedirectHttps);
        Assert.Equal(8443, options.HttpsPort);
    }
}
