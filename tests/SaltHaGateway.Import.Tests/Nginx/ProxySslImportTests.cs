using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Import.Nginx;
using SaltHaGateway.Proxy;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.TestSupport;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary>proxy_ssl_* directives, inherited http → server → location, become the metadata of the cluster the
/// location's https proxy_pass targets.</summary>
public sealed class ProxySslImportTests
{
    private const string Upstreams = "upstream act2 { server 10.0.0.1:8000; }\n";

    private static (JsonElement Root, List<ImportDiagnostic> Diagnostics, string Dir) Import(string rest)
    {
        var (result, path) = TempNginxConfig.ImportText(Upstreams + rest);
        return (TempNginxConfig.Root(result), result.Diagnostics.ToList(), Path.GetDirectoryName(path)!);
    }

    private static JsonElement Metadata(JsonElement root, string cluster = "act2") =>
        root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty(cluster).GetProperty("Metadata");

    private static string? Get(JsonElement metadata, string key) => metadata.TryGetProperty(key, out var v) ? v.GetString() : null;

    [Fact]
    public void Directives_are_inherited_and_relative_files_resolve_against_the_conf_prefix()
    {
        var (root, diagnostics, dir) = Import("""
            proxy_ssl_verify on;
            proxy_ssl_trusted_certificate certs/salt-ca.pem;
            proxy_ssl_protocols TLSv1.2 TLSv1.3;
            server {
              proxy_ssl_name salt-master;
              proxy_ssl_server_name on;
              proxy_ssl_verify_depth 2;
              location / {
                proxy_pass https://act2;
                proxy_ssl_certificate /etc/ssl/gateway.crt;
                proxy_ssl_certificate_key /etc/ssl/gateway.key;
              }
            }
            """);
        Assert.Empty(diagnostics);
        var metadata = Metadata(root);
        Assert.Equal("on", Get(metadata, "ProxySslVerify"));
        Assert.Equal(Path.Combine(dir, "certs", "salt-ca.pem"), Get(metadata, "ProxySslTrustedCertificate"));
        Assert.Equal("TLSv1.2 TLSv1.3", Get(metadata, "ProxySslProtocols"));
        Assert.Equal("salt-master", Get(metadata, "ProxySslName"));
        Assert.Equal("on", Get(metadata, "ProxySslServerName"));
        Assert.Equal("2", Get(metadata, "ProxySslVerifyDepth"));
        Assert.Equal("/etc/ssl/gateway.crt", Get(metadata, "ProxySslCertificate"));
        Assert.Equal("/etc/ssl/gateway.key", Get(metadata, "ProxySslCertificateKey"));
        var address = root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2")
            .GetProperty("Destinations").EnumerateObject().First().Value.GetProperty("Address").GetString();
        Assert.Equal("https://10.0.0.1:8000", address);
    }

    [Fact]
    public void An_unset_name_is_nginxs_proxy_host_when_verifying()
    {
        var (root, _, _) = Import("server { location / { proxy_pass https://act2; proxy_ssl_verify on; proxy_ssl_trusted_certificate /ca.pem; } }\n");
        Assert.Equal("act2", Get(Metadata(root), "ProxySslName"));
    }

    [Fact]
    public void An_http_proxy_pass_ignores_the_directives_as_nginx_does()
    {
        var (root, _, _) = Import("proxy_ssl_verify on;\nserver { location / { proxy_pass http://act2; } }\n");
        Assert.False(root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2").TryGetProperty("Metadata", out var m)
            && m.TryGetProperty("ProxySslVerify", out _));
    }

    [Fact]
    public void Locations_that_disagree_on_a_cluster_get_a_warning_and_the_first_is_kept()
    {
        var (root, diagnostics, _) = Import("""
            server {
              location /a/ { proxy_pass https://act2; proxy_ssl_verify on; proxy_ssl_trusted_certificate /ca.pem; }
              location /b/ { proxy_pass https://act2; proxy_ssl_verify off; }
            }
            """);
        Assert.Equal("on", Get(Metadata(root), "ProxySslVerify"));
        var warning = Assert.Single(diagnostics, d => d.Message.Contains("ProxySslVerify is per cluster"));
        Assert.False(warning.IsError);
        Assert.Equal(4, warning.Line);
        Assert.Contains("the location at line 3 gives \"on\"", warning.Message);
        Assert.Contains(diagnostics, d => d.Line == 4 && d.Message.Contains("ProxySslTrustedCertificate is per cluster"));
    }

    [Fact]
    public void Old_protocols_are_left_out_with_a_warning_and_bad_values_are_errors()
    {
        var (root, diagnostics, _) = Import("server { location / { proxy_pass https://act2; proxy_ssl_protocols TLSv1.1 TLSv1.2; } }\n");
        Assert.Equal("TLSv1.2", Get(Metadata(root), "ProxySslProtocols"));
        Assert.Contains(diagnostics, d => !d.IsError && d.Message.Contains("does not speak TLSv1.1"));

        var (verify, path) = TempNginxConfig.ImportText(Upstreams + "server { location / { proxy_pass https://act2; proxy_ssl_verify yes; } }\n");
        TempNginxConfig.SingleError(verify, path, 2, "invalid value \"yes\" in \"proxy_ssl_verify\" directive, it must be \"on\" or \"off\"");
    }

    [Fact]
    public void Variables_in_names_and_paths_are_not_translated()
    {
        var (root, diagnostics, _) = Import("server { location / { proxy_pass https://act2; proxy_ssl_name $host; proxy_ssl_certificate /c/$ssl_server_name.crt; } }\n");
        Assert.Null(Get(Metadata(root), "ProxySslName"));
        Assert.Contains(diagnostics, d => d.Directive == "proxy_ssl_name" && d.Message.Contains("not translated"));
        Assert.Contains(diagnostics, d => d.Directive == "proxy_ssl_certificate" && d.Message.Contains("not translated"));
    }

    [Fact]
    public async Task The_imported_config_loads_with_the_certificate_files_read()
    {
        using var dir = new TempNginxConfig();
        var master = TestCertificates.SelfSigned("salt-master", ["salt-master"]);
        TestCertificates.WritePem(master, Path.Combine(dir.Dir, "certs"), "master");
        TestCertificates.WritePem(TestCertificates.SelfSigned("gateway", []), Path.Combine(dir.Dir, "certs"), "gateway", withKey: true);
        var nginx = dir.Write("nginx.conf", Upstreams + """
            server {
              listen 8000;
              location / {
                proxy_pass https://act2;
                proxy_ssl_verify on;
                proxy_ssl_trusted_certificate certs/master.crt;
                proxy_ssl_name salt-master;
                proxy_ssl_certificate certs/gateway.crt;
                proxy_ssl_certificate_key certs/gateway.key;
              }
            }
            """);
        var imported = NginxConfigImporter.Import(nginx);
        Assert.True(imported.Succeeded, string.Join("\n", imported.Diagnostics));
        // Written elsewhere: the absolute paths still find the files.
        var file = Path.Combine(Directory.CreateTempSubdirectory("shg-imported-").FullName, "gateway.json");
        await File.WriteAllTextAsync(file, imported.Json);

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayConfigValidation();
        var (config, errors) = await services.BuildServiceProvider().GetRequiredService<GatewayConfigLoader>().LoadAsync(file);
        Assert.Empty(errors);
        var tls = config!.Upstreams["act2"].Tls;
        Assert.True(tls.Verify);
        Assert.Equal(master.Thumbprint, Assert.Single(tls.TrustedCertificates).Thumbprint);
        Assert.Equal("salt-master", tls.Name);
        Assert.True(tls.ClientCertificate!.HasPrivateKey);
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }
}
