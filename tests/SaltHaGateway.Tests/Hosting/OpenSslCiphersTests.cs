using System.Net.Security;
using SaltHaGateway.Hosting;

namespace SaltHaGateway.Tests.Hosting;

public sealed class OpenSslCiphersTests
{
    [Fact]
    public void Named_suites_keep_their_order_and_the_default_tls13_suites_are_added()
    {
        var result = OpenSslCiphers.Parse("ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305", out var error);
        Assert.Null(error);
        Assert.Equal(
            [
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                TlsCipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                TlsCipherSuite.TLS_AES_256_GCM_SHA384, TlsCipherSuite.TLS_CHACHA20_POLY1305_SHA256, TlsCipherSuite.TLS_AES_128_GCM_SHA256,
            ],
            result!.Suites);
        Assert.Empty(result.Warnings);
    }

    [Theory]
    [InlineData("AES128-SHA", TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA)]
    [InlineData("DHE-RSA-AES256-GCM-SHA384", TlsCipherSuite.TLS_DHE_RSA_WITH_AES_256_GCM_SHA384)]
    [InlineData("ECDHE-ECDSA-AES256-SHA384", TlsCipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384)]
    [InlineData("DES-CBC3-SHA", TlsCipherSuite.TLS_RSA_WITH_3DES_EDE_CBC_SHA)]
    public void OpenSsl_names_map_to_the_iana_suites(string name, TlsCipherSuite suite) =>
        Assert.Equal(suite, OpenSslCiphers.Parse(name, out _)!.Suites![0]);

    [Fact]
    public void Separators_exclusions_and_duplicates_are_handled_as_openssl_does()
    {
        var result = OpenSslCiphers.Parse("ECDHE-RSA-AES128-GCM-SHA256, AES128-SHA ECDHE-RSA-AES128-GCM-SHA256:!AES128-SHA:!aNULL:!MD5", out _);
        Assert.Equal([TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256], result!.Suites!.Take(1));
        Assert.DoesNotContain(TlsCipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA, result.Suites!);
        Assert.Empty(result.Warnings);   // excluding aNULL and MD5 changes nothing here
    }

    [Fact]
    public void Nginx_default_keyword_string_leaves_the_platform_defaults_without_a_warning()
    {
        var result = OpenSslCiphers.Parse("HIGH:!aNULL:!MD5", out var error);
        Assert.Null(error);
        Assert.Null(result!.Suites);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Keywords_that_cannot_be_expanded_are_warned_about()
    {
        var only = OpenSslCiphers.Parse("EECDH+AESGCM:EDH+AESGCM", out _);
        Assert.Null(only!.Suites);
        Assert.Contains("not expanded", Assert.Single(only.Warnings));

        var mixed = OpenSslCiphers.Parse("ECDHE-RSA-AES128-GCM-SHA256:!SHA1:@SECLEVEL=2", out _);
        Assert.Equal(TlsCipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, mixed!.Suites![0]);
        var warning = Assert.Single(mixed.Warnings);
        Assert.Contains("\"!SHA1\" \"@SECLEVEL=2\" not expanded", warning);
    }

    [Theory]
    [InlineData("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES999-GCM", "\"ECDHE-RSA-AES999-GCM\" is not an OpenSSL cipher name")]
    [InlineData("TLS_AES_128_GCM_SHA256", "is a TLS 1.3 suite")]
    [InlineData("HIGH+FAST", "\"HIGH+FAST\" is not an OpenSSL cipher name")]
    public void Unknown_names_are_errors(string text, string message)
    {
        Assert.Null(OpenSslCiphers.Parse(text, out var error));
        Assert.Contains(message, error);
    }
}
