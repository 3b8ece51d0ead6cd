using System.Text.Json;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary><c>listen 443 ssl</c>, the ssl_* directives and the plain server that redirects to https.</summary>
public sealed class TlsImportTests
{
    private const string Upstream = "upstream api { server 10.0.0.2:8000; }\n";

    private static (JsonElement Root, List<ImportDiagnostic> Diagnostics, string Dir) Import(string text)
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", Upstream + text);
        var result = NginxConfigImporter.Import(path);
        return (TempNginxConfig.Root(result), result.Diagnostics.ToList(), config.Dir);
    }

    private static JsonElement Gateway(JsonElement root) => root.GetProperty("Gateway");

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.ToString()).ToArray();

    [Fact]
    public void Ssl_server_becomes_an_https_listener_and_the_tls_section()
    {
        var (root, diagnostics, dir) = Import("""
            server {
              listen 443 ssl http2;
              listen [::]:443 ssl;
              http2 on;
              ssl_certificate certs/salt.crt;
              ssl_certificate_key /etc/ssl/private/salt.key;
              ssl_protocols TLSv1.2 TLSv1.3;
              ssl_ciphers ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384;
              location / { proxy_pass http://api; }
            }
            """);
        Assert.Equal(["https://*:443"], Strings(Gateway(root).GetProperty("Listen")));
        var tls = Gateway(root).GetProperty("Tls");
        Assert.Equal(Path.Combine(dir, "certs/salt.crt"), tls.GetProperty("Certificate").GetString());
        Assert.Equal("/etc/ssl/private/salt.key", tls.GetProperty("CertificateKey").GetString());
        Assert.Equal("TLSv1.2 TLSv1.3", tls.GetProperty("Protocols").GetString());
        Assert.Equal("ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384", tls.GetProperty("Ciphers").GetString());
        Assert.False(root.GetProperty("ReverseProxy").GetProperty("Routes").GetProperty("api").GetProperty("Match").TryGetProperty("Hosts", out _));
        // Only the [::]:443 fold is worth a word: ssl, http2 and "http2 on" are all translated.
        Assert.Contains("covered by", Assert.Single(diagnostics).Message);
    }

    [Theory]
    [InlineData("$host")]
    [InlineData("$server_name")]
    public void Plain_server_that_returns_301_to_https_becomes_redirect_https(string host)
    {
        var (root, diagnostics, _) = Import($$"""
            server {
              listen 80;
              listen [::]:80;
              server_name salt.example.com;
              return 301 https://{{host}}$request_uri;
            }
            server {
              listen 443 ssl;
              server_name salt.example.com;
              ssl_certificate /etc/ssl/salt.crt;
              ssl_certificate_key /etc/ssl/salt.key;
              location / { proxy_pass http://api; }
            }
            """);
        Assert.Equal(["http://*:80", "https://*:443"], Strings(Gateway(root).GetProperty("Listen")));
        Assert.Equal(["80"], Strings(Gateway(root).GetProperty("RedirectHttps")));
        var route = Assert.Single(root.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject());
        Assert.False(route.Value.GetProperty("Match").TryGetProperty("Hosts", out _));
        Assert.DoesNotContain(diagnostics, d => d.Directive == "return");
    }

    [Fact]
    public void Ssl_settings_at_http_level_are_inherited_and_session_and_cipher_order_settings_are_warned_about()
    {
        var (root, diagnostics, _) = Import("""
            ssl_certificate /etc/ssl/salt.crt;
            ssl_certificate_key /etc/ssl/salt.key;
            ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
            ssl_prefer_server_ciphers on;
            ssl_session_cache shared:SSL:10m;
            ssl_session_timeout 10m;
            server {
              listen 443 ssl;
              ssl_protocols TLSv1.3;
              location / { proxy_pass http://api; }
            }
            """);
        var tls = Gateway(root).GetProperty("Tls");
        Assert.Equal("/etc/ssl/salt.crt", tls.GetProperty("Certificate").GetString());
        Assert.Equal("TLSv1.3", tls.GetProperty("Protocols").GetString());
        Assert.False(tls.TryGetProperty("Ciphers", out _));
        Assert.Equal(
            [(4, "ssl_protocols"), (4, "ssl_protocols"), (5, "ssl_prefer_server_ciphers"), (6, "ssl_session_cache"), (7, "ssl_session_timeout")],
            diagnostics.Select(d => (d.Line, d.Directive)));
        Assert.All(diagnostics, d => Assert.False(d.IsError));
        Assert.Contains("\"TLSv1\" is not offered", diagnostics[0].Message);
    }

    [Fact]
    public void Servers_with_different_certificates_get_the_first_with_a_warning()
    {
        var (root, diagnostics, _) = Import("""
            server {
              listen 443 ssl;
              server_name salt.example.com;
              ssl_certificate /etc/ssl/salt.crt;
              ssl_certificate_key /etc/ssl/salt.key;
              location / { proxy_pass http://api; }
            }
            server {
              listen 443 ssl;
              server_name act2.example.com;
              ssl_certificate /etc/ssl/act2.crt;
              ssl_certificate_key /etc/ssl/act2.key;
              location / { proxy_pass http://api; }
            }
            """);
        Assert.Equal("/etc/ssl/salt.crt", Gateway(root).GetProperty("Tls").GetProperty("Certificate").GetString());
        var warning = Assert.Single(diagnostics);
        Assert.Equal((12, "ssl_certificate"), (warning.Line, warning.Directive));
        Assert.Contains("(SNI) is not translated", warning.Message);
    }

    [Fact]
    public void Ssl_listener_without_a_certificate_is_an_error_as_in_nginx()
    {
        var (result, path) = TempNginxConfig.ImportText(Upstream + "server {\nlisten 443 ssl;\nlocation / { proxy_pass http://api; }\n}\n");
        TempNginxConfig.SingleError(result, path, 2, "no \"ssl_certificate\" is defined for the \"listen ... ssl\" directive");
    }

    [Fact]
    public void A_redirect_on_a_port_that_also_proxies_is_left_out_with_a_warning()
    {
        var (root, diagnostics, _) = Import("""
            server {
              listen 80;
              server_name old.example.com;
              return 301 https://$host$request_uri;
            }
            server {
              listen 80 default_server;
              location / { proxy_pass http://api; }
            }
            """);
        Assert.False(Gateway(root).TryGetProperty("RedirectHttps", out _));
        var warning = Assert.Single(diagnostics);
        Assert.Equal((5, "return"), (warning.Line, warning.Directive));
        Assert.Contains("redirects whole ports", warning.Message);
    }

    [Theory]
    [InlineData("return 302 https://$host$request_uri;")]
    [InlineData("return 301 https://salt.example.com$request_uri;")]
    public void Other_returns_are_still_reported(string directive)
    {
        var (root, diagnostics, _) = Import($"server {{\nlisten 80;\n{directive}\nlocation / {{ proxy_pass http://api; }}\n}}\n");
        Assert.False(Gateway(root).TryGetProperty("RedirectHttps", out _));
        Assert.Contains(diagnostics, d => d.Directive == "return" && d.Line == 4);
    }

    [Fact]
    public void Invalid_ssl_protocols_value_is_an_error()
    {
        var (result, path) = TempNginxConfig.ImportText(Upstream + "ssl_protocols TLSv1.2 TLSv9;\n");
        TempNginxConfig.SingleError(result, path, 2, "invalid value \"TLSv9\"");
    }
}
