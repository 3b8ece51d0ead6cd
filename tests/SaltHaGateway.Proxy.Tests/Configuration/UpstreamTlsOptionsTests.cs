using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Forwarding;
using SaltHaGateway.Proxy.Upstreams;
using SaltHaGateway.TestSupport;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class UpstreamTlsOptionsTests : IDisposable
{
    private static readonly GatewayConfigLoader Loader = CreateLoader();
    private readonly string _dir = Directory.CreateTempSubdirectory("shg-tls-").FullName;

    private static GatewayConfigLoader CreateLoader()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayConfigValidation();
        return services.BuildServiceProvider().GetRequiredService<GatewayConfigLoader>();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Writes a config with one https cluster and the metadata given next to the certificates, then loads it.</summary>
    private async Task<(GatewayProxyConfig? Config, IReadOnlyList<ConfigError> Errors)> Load(JsonObject metadata)
    {
        var json = new JsonObject
        {
            ["ReverseProxy"] = new JsonObject
            {
                ["Routes"] = new JsonObject { ["r"] = new JsonObject { ["ClusterId"] = "salt", ["Match"] = new JsonObject { ["Path"] = "/{**all}" } } },
                ["Clusters"] = new JsonObject
                {
                    ["salt"] = new JsonObject
                    {
                        ["Metadata"] = metadata,
                        ["Destinations"] = new JsonObject { ["m1"] = new JsonObject { ["Address"] = "https://127.0.0.1:8000" } },
                    },
                },
            },
        };
        var file = Path.Combine(_dir, "gateway.json");
        await File.WriteAllTextAsync(file, json.ToJsonString());
        return await Loader.LoadAsync(file);
    }

    private static Dictionary<string, string> ByPath(IReadOnlyList<ConfigError> errors) => errors.ToDictionary(e => e.Path, e => e.Message);

    private const string At = "ReverseProxy.Clusters.salt.Metadata.";

    [Fact]
    public async Task Without_keys_the_defaults_are_nginx_ones()
    {
        var (config, errors) = await Load([]);
        Assert.Empty(errors);
        var tls = config!.Upstreams["salt"].Tls;
        Assert.Same(UpstreamTls.Default, tls);
        Assert.False(tls.Verify);
        Assert.False(tls.SendServerName);
        Assert.Equal(1, tls.VerifyDepth);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, tls.Protocols);
        Assert.Null(tls.ClientCertificate);
    }

    [Fact]
    public async Task Every_key_is_read_and_relative_files_are_taken_from_the_config_directory()
    {
        var ca = TestCertificates.Authority("Salt CA");
        TestCertificates.WritePem(ca, _dir, "ca");
        var client = TestCertificates.Issued(ca, "gateway", [], client: true);
        TestCertificates.WritePem(client, Path.Combine(_dir, "client"), "gateway", withKey: true);

        var (config, errors) = await Load(new JsonObject
        {
            ["ProxySslVerify"] = "on",
            ["ProxySslTrustedCertificate"] = "ca.crt",
            ["ProxySslVerifyDepth"] = "2",
            ["ProxySslName"] = "salt.example.com",
            ["ProxySslServerName"] = "on",
            ["ProxySslProtocols"] = "TLSv1.3",
            ["ProxySslCertificate"] = "client/gateway.crt",
            ["ProxySslCertificateKey"] = "client/gateway.key",
        });
        Assert.Empty(errors);
        var tls = config!.Upstreams["salt"].Tls;
        Assert.True(tls.Verify);
        Assert.Equal(ca.Thumbprint, Assert.Single(tls.TrustedCertificates).Thumbprint);
        Assert.Equal(2, tls.VerifyDepth);
        Assert.Equal("salt.example.com", tls.Name);
        Assert.True(tls.SendServerName);
        Assert.Equal(SslProtocols.Tls13, tls.Protocols);
        Assert.Equal(client.Thumbprint, tls.ClientCertificate!.Thumbprint);
        Assert.True(tls.ClientCertificate.HasPrivateKey);
        Assert.NotEmpty(tls.FilesDigest);
    }

    [Fact]
    public async Task Bad_values_are_errors_naming_the_key()
    {
        File.WriteAllText(Path.Combine(_dir, "notpem.crt"), "hello");
        var (config, errors) = await Load(new JsonObject
        {
            ["ProxySslVerify"] = "yes",
            ["ProxySslServerName"] = "true",
            ["ProxySslVerifyDepth"] = "-1",
            ["ProxySslName"] = "$proxy_host",
            ["ProxySslProtocols"] = "TLSv1.1 TLSv1.2",
            ["ProxySslTrustedCertificate"] = "notpem.crt",
            ["ProxySslCertificate"] = "missing.crt",
            ["ProxySslCertificateKey"] = "missing.key",
        });
        Assert.Null(config);
        var byPath = ByPath(errors);
        Assert.Contains("expected on or off", byPath[At + "ProxySslVerify"]);
        Assert.Contains("expected on or off", byPath[At + "ProxySslServerName"]);
        Assert.Contains("expected a number", byPath[At + "ProxySslVerifyDepth"]);
        Assert.Contains("variables are not supported", byPath[At + "ProxySslName"]);
        Assert.Contains("\"TLSv1.1\" is not supported", byPath[At + "ProxySslProtocols"]);
        Assert.Contains("holds no PEM certificate", byPath[At + "ProxySslTrustedCertificate"]);
        Assert.Contains("file not found", byPath[At + "ProxySslCertificate"]);
        Assert.Contains(Path.Combine(_dir, "missing.crt"), byPath[At + "ProxySslCertificate"]);
    }

    [Fact]
    public async Task Verify_on_without_a_trusted_certificate_is_refused_as_nginx_does()
    {
        var (config, errors) = await Load(new JsonObject { ["ProxySslVerify"] = "on" });
        Assert.Null(config);
        var e = Assert.Single(errors);
        Assert.Equal(At + "ProxySslVerify", e.Path);
        Assert.Contains("needs ProxySslTrustedCertificate", e.Message);
    }

    [Fact]
    public async Task A_client_certificate_needs_its_matching_key()
    {
        var first = TestCertificates.SelfSigned("one", ["one"]);
        var second = TestCertificates.SelfSigned("two", ["two"]);
        TestCertificates.WritePem(first, _dir, "one", withKey: true);
        TestCertificates.WritePem(second, _dir, "two", withKey: true);

        var (_, alone) = await Load(new JsonObject { ["ProxySslCertificate"] = "one.crt" });
        Assert.Contains("needs ProxySslCertificateKey", ByPath(alone)[At + "ProxySslCertificate"]);
        var (_, keyOnly) = await Load(new JsonObject { ["ProxySslCertificateKey"] = "one.key" });
        Assert.Contains("needs ProxySslCertificate", ByPath(keyOnly)[At + "ProxySslCertificateKey"]);
        var (config, mismatch) = await Load(new JsonObject { ["ProxySslCertificate"] = "one.crt", ["ProxySslCertificateKey"] = "two.key" });
        Assert.Null(config);
        Assert.Contains("is not a PEM private key of the certificate", ByPath(mismatch)[At + "ProxySslCertificateKey"]);
    }

    [Fact]
    public async Task Replacing_a_certificate_file_changes_the_revision_so_a_reload_applies_it()
    {
        TestCertificates.WritePem(TestCertificates.SelfSigned("a", ["a"]), _dir, "trusted");
        var metadata = new JsonObject { ["ProxySslVerify"] = "on", ["ProxySslTrustedCertificate"] = "trusted.crt" };
        var (before, _) = await Load(metadata.DeepClone().AsObject());
        var (same, _) = await Load(metadata.DeepClone().AsObject());
        TestCertificates.WritePem(TestCertificates.SelfSigned("b", ["b"]), _dir, "trusted");
        var (after, _) = await Load(metadata.DeepClone().AsObject());

        Assert.Equal(before!.Revision, same!.Revision);
        Assert.Equal(before.Upstreams["salt"].Tls, same.Upstreams["salt"].Tls);
        Assert.NotEqual(before.Revision, after!.Revision);
        Assert.NotEqual(before.Upstreams["salt"].Tls, after.Upstreams["salt"].Tls);
    }

    [Fact]
    public async Task The_http_client_is_rebuilt_when_the_tls_settings_or_connect_timeout_change_and_reused_otherwise()
    {
        TestCertificates.WritePem(TestCertificates.SelfSigned("a", ["a"]), _dir, "trusted");
        var time = TimeProvider.System;
        var health = new NoActiveHealthChecks();
        var table = new UpstreamTable(time, health);
        var factory = new GatewayHttpClientFactory(NullLogger<ForwarderHttpClientFactory>.Instance, new UpstreamConnections(health, time), table);

        HttpMessageInvoker Create(GatewayProxyConfig config, HttpMessageInvoker? old)
        {
            table.Config = config;
            var metadata = config.Clusters[0].Metadata;
            return factory.CreateClient(new ForwarderHttpClientContext
            {
                ClusterId = "salt", OldClient = old, OldConfig = HttpClientConfig.Empty, NewConfig = HttpClientConfig.Empty,
                OldMetadata = metadata, NewMetadata = metadata,
            });
        }

        var metadata = new JsonObject { ["ProxySslVerify"] = "on", ["ProxySslTrustedCertificate"] = "trusted.crt" };
        var first = Create((await Load(metadata.DeepClone().AsObject())).Config!, null);
        Assert.Same(first, Create((await Load(metadata.DeepClone().AsObject())).Config!, first));

        TestCertificates.WritePem(TestCertificates.SelfSigned("b", ["b"]), _dir, "trusted");
        var second = Create((await Load(metadata.DeepClone().AsObject())).Config!, first);
        Assert.NotSame(first, second);

        metadata["ConnectTimeout"] = "5s";
        Assert.NotSame(second, Create((await Load(metadata.DeepClone().AsObject())).Config!, second));
    }
}

public sealed class UpstreamTlsVerificationTests
{
    private static UpstreamTls Trusting(int depth = 1, params X509Certificate2[] roots) =>
        new() { Verify = true, VerifyDepth = depth, TrustedCertificates = [.. roots] };

    [Fact]
    public void A_self_signed_certificate_that_is_trusted_and_matches_the_name_is_accepted()
    {
        var server = TestCertificates.SelfSigned("salt", ["salt.example.com", "127.0.0.1"]);
        Assert.Null(Trusting(1, server).Check(server, null, "salt.example.com"));
        Assert.Null(Trusting(1, server).Check(server, null, "127.0.0.1"));
    }

    [Fact]
    public void Each_rejection_says_why()
    {
        var server = TestCertificates.SelfSigned("salt", ["salt.example.com"]);
        var other = TestCertificates.SelfSigned("other", ["other"]);
        Assert.Contains("does not match the name \"127.0.0.2\"", Trusting(1, server).Check(server, null, "127.0.0.2"));
        Assert.Contains("self-signed certificate \"CN=salt\" is not a trusted certificate", Trusting(1, other).Check(server, null, "salt.example.com"));

        var expired = TestCertificates.SelfSigned("old", ["old"], DateTimeOffset.UtcNow.AddDays(-30), DateTimeOffset.UtcNow.AddDays(-1));
        Assert.Contains("certificate expired on", Trusting(1, expired).Check(expired, null, "old"));

        var ca = TestCertificates.Authority("Salt CA");
        var otherCa = TestCertificates.Authority("Other CA");
        var leaf = TestCertificates.Issued(ca, "master", ["master"]);
        Assert.Null(Trusting(1, ca).Check(leaf, null, "master"));
        Assert.Contains("issuer \"CN=Salt CA\" does not lead to a trusted certificate", Trusting(1, otherCa).Check(leaf, null, "master"));
    }

    [Fact]
    public void The_verify_depth_counts_intermediate_certificates_as_openssl_does()
    {
        var root = TestCertificates.Authority("Root");
        var first = TestCertificates.Issued(root, "Intermediate 1", [], ca: true);
        var second = TestCertificates.Issued(first, "Intermediate 2", [], ca: true);
        var leaf = TestCertificates.Issued(second, "master", ["master"]);
        using var presented = new X509Chain();
        presented.ChainPolicy.ExtraStore.Add(first);
        presented.ChainPolicy.ExtraStore.Add(second);

        Assert.Contains("chain too long: 2 intermediate certificates, verify depth is 1", Trusting(1, root).Check(leaf, presented, "master"));
        Assert.Null(Trusting(2, root).Check(leaf, presented, "master"));
        // Depth 0: issued by a trusted certificate directly, or trusted itself.
        var direct = TestCertificates.Issued(root, "direct", ["direct"]);
        Assert.Null(Trusting(0, root).Check(direct, null, "direct"));
        var self = TestCertificates.SelfSigned("self", ["self"]);
        Assert.Null(Trusting(0, self).Check(self, null, "self"));
    }

    [Fact]
    public void Without_verify_no_name_and_no_sni_are_the_defaults()
    {
        var options = UpstreamTls.Default.ClientOptions("master");
        Assert.Equal("", options.TargetHost);
        Assert.Equal(SslProtocols.Tls12 | SslProtocols.Tls13, options.EnabledSslProtocols);
        var withName = (UpstreamTls.Default with { SendServerName = true, Name = "salt.example.com" }).ClientOptions("10.0.0.1");
        Assert.Equal("salt.example.com", withName.TargetHost);
    }
}
