using System.Text.Json;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class ProxySettingsTests
{
    private const string Upstreams = "upstream act2 { server 10.0.0.1:6868; }\nupstream api { server 10.0.0.2:8000; }\n";

    private static (JsonElement Root, List<SaltHaGateway.Import.Nginx.ImportDiagnostic> Diagnostics) Import(string rest)
    {
        var (result, _) = TempNginxConfig.ImportText(Upstreams + rest);
        return (TempNginxConfig.Root(result), result.Diagnostics.ToList());
    }

    private static JsonElement Route(JsonElement root, string id) => root.GetProperty("ReverseProxy").GetProperty("Routes").GetProperty(id);

    private static JsonElement ClusterMetadata(JsonElement root, string id) =>
        root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty(id).GetProperty("Metadata");

    private static void Rejected(string rest, int line, string message)
    {
        var (result, path) = TempNginxConfig.ImportText(Upstreams + rest);
        TempNginxConfig.SingleError(result, path, line, message);
    }

    [Fact]
    public void ProxySetHeaderIsInheritedOnlyByLevelsWithoutTheirOwn()
    {
        var (root, _) = Import("""
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            server {
              location / { proxy_pass http://act2; }
              location /api/ {
                proxy_pass http://api/;
                proxy_set_header Host $host;
                proxy_set_header X-Real-IP $remote_addr;
                proxy_set_header Accept-Encoding "";
              }
            }
            """);
        var inherited = Route(root, "act2").GetProperty("Metadata");
        Assert.Equal(["ProxySetHeader.X-Forwarded-For"], inherited.EnumerateObject().Select(p => p.Name));
        var own = Route(root, "api").GetProperty("Metadata");
        Assert.Equal(["ProxySetHeader.Host", "ProxySetHeader.X-Real-IP", "ProxySetHeader.Accept-Encoding"], own.EnumerateObject().Select(p => p.Name));
        Assert.Equal("", own.GetProperty("ProxySetHeader.Accept-Encoding").GetString());
    }

    [Fact]
    public void HeaderWithUnsupportedVariableIsReportedAndStillBlocksInheritance()
    {
        var (root, diagnostics) = Import("""
            server {
              proxy_set_header X-A a;
              location / {
                proxy_pass http://act2;
                proxy_set_header X-Id $request_id;
              }
            }
            """);
        Assert.False(Route(root, "act2").TryGetProperty("Metadata", out _));
        Assert.Contains(diagnostics, d => d.Directive == "proxy_set_header" && d.Line == 7 && d.Message.Contains("$request_id"));
    }

    [Fact]
    public void HttpHeaderVariablesAreAccepted()
    {
        var (root, diagnostics) = Import("server { location / { proxy_pass http://act2; proxy_set_header X-Orig ${http_x_orig}-$scheme; } }\n");
        Assert.Equal("${http_x_orig}-$scheme", Route(root, "act2").GetProperty("Metadata").GetProperty("ProxySetHeader.X-Orig").GetString());
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void AllowDenyBecomeAccessMetadataInOrder()
    {
        var (root, _) = Import("server {\n allow 192.168.1.0/24;\n allow 2001:db8::/32;\n deny all;\n location / { proxy_pass http://act2; }\n}\n");
        Assert.Equal("allow 192.168.1.0/24; allow 2001:db8::/32; deny all", Route(root, "act2").GetProperty("Metadata").GetProperty("Access").GetString());
    }

    [Theory]
    [InlineData("allow 10.0.0.0/33;", "invalid parameter \"10.0.0.0/33\"")]
    [InlineData("deny 300.1.1.1;", "invalid parameter \"300.1.1.1\"")]
    [InlineData("deny example.com;", "invalid parameter \"example.com\"")]
    [InlineData("allow;", "invalid number of arguments in \"allow\" directive")]
    public void InvalidAccessRulesAreRejected(string rule, string message) =>
        Rejected($"server {{\nlocation / {{\nproxy_pass http://act2;\n{rule}\n}}\n}}\n", 6, message);

    [Fact]
    public void AccessRuleWithHostBitsWarnsLikeNginx()
    {
        var (root, diagnostics) = Import("server { location / { proxy_pass http://act2; allow 10.1.2.3/8; } }\n");
        Assert.Contains(diagnostics, d => !d.IsError && d.Message.Contains("low address bits of 10.1.2.3/8 are meaningless"));
        Assert.Equal("allow 10.1.2.3/8", Route(root, "act2").GetProperty("Metadata").GetProperty("Access").GetString());
    }

    [Theory]
    [InlineData("10m", 10L * 1024 * 1024)]
    [InlineData("512k", 512L * 1024)]
    [InlineData("1G", 1024L * 1024 * 1024)]
    [InlineData("4096", 4096L)]
    [InlineData("0", -1L)]
    public void ClientMaxBodySizeInBytes(string size, long bytes)
    {
        var (root, _) = Import($"server {{ location / {{ proxy_pass http://act2; client_max_body_size {size}; }} }}\n");
        Assert.Equal(bytes, Route(root, "act2").GetProperty("MaxRequestBodySize").GetInt64());
    }

    [Fact]
    public void NoClientMaxBodySizeLeavesTheGatewayDefault()
    {
        var (root, _) = Import("server { location / { proxy_pass http://act2; } }\n");
        Assert.False(Route(root, "act2").TryGetProperty("MaxRequestBodySize", out _));
    }

    [Theory]
    [InlineData("client_max_body_size 10mb;", "\"client_max_body_size\" directive invalid value \"10mb\"")]
    [InlineData("client_max_body_size -1;", "invalid value \"-1\"")]
    [InlineData("proxy_connect_timeout 3x;", "\"proxy_connect_timeout\" directive invalid value \"3x\"")]
    [InlineData("proxy_connect_timeout 1s1s;", "invalid value \"1s1s\"")]
    [InlineData("proxy_next_upstream_timeout soon;", "invalid value \"soon\"")]
    [InlineData("proxy_next_upstream_tries two;", "\"proxy_next_upstream_tries\" directive invalid number \"two\"")]
    [InlineData("proxy_next_upstream error http_418;", "invalid value \"http_418\"")]
    public void InvalidValuesAreRejected(string directive, string message) =>
        Rejected($"server {{\nlocation / {{\nproxy_pass http://act2;\n{directive}\n}}\n}}\n", 6, message);

    [Fact]
    public void DuplicateSingleValueDirectiveIsRejected() =>
        Rejected("server {\nlocation / {\nproxy_pass http://act2;\nproxy_connect_timeout 1s;\nproxy_connect_timeout 2s;\n}\n}\n", 7,
            "\"proxy_connect_timeout\" directive is duplicate (first at line 6)");

    [Fact]
    public void RetryAndTimeoutSettingsGoOntoTheCluster()
    {
        var (root, diagnostics) = Import("""
            proxy_connect_timeout 1500ms;
            server {
              location / {
                proxy_pass http://act2;
                proxy_next_upstream error timeout http_502;
                proxy_next_upstream_tries 2;
                proxy_next_upstream_timeout 1m;
              }
            }
            """);
        var m = ClusterMetadata(root, "act2");
        Assert.Equal("error timeout http_502", m.GetProperty("NextUpstream").GetString());
        Assert.Equal("2", m.GetProperty("NextUpstreamTries").GetString());
        Assert.Equal("1m", m.GetProperty("NextUpstreamTimeout").GetString());
        Assert.Equal("1500ms", m.GetProperty("ConnectTimeout").GetString());
        Assert.Equal(["Balance", "NextUpstream", "NextUpstreamTries", "NextUpstreamTimeout", "ConnectTimeout"], m.EnumerateObject().Select(p => p.Name));
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void NextUpstreamOffWins()
    {
        var (root, _) = Import("server { location / { proxy_pass http://act2; proxy_next_upstream error off; } }\n");
        Assert.Equal("off", ClusterMetadata(root, "act2").GetProperty("NextUpstream").GetString());
    }

    [Fact]
    public void ConflictingPerClusterSettingsAreReported()
    {
        var (root, diagnostics) = Import("""
            server {
              location / { proxy_pass http://act2; proxy_connect_timeout 2s; }
              location /x/ { proxy_pass http://act2; proxy_connect_timeout 5s; }
            }
            """);
        Assert.Equal("2s", ClusterMetadata(root, "act2").GetProperty("ConnectTimeout").GetString());
        Assert.Contains(diagnostics, d => d.Directive == "proxy_connect_timeout" && d.Line == 5 && d.Message.Contains("per cluster"));
    }

    [Theory]
    [InlineData("access_log off;", "off", null)]
    [InlineData("access_log /var/log/gw.log;", "combined", "/var/log/gw.log")]
    [InlineData("access_log /var/log/gw.log combined;", "combined", "/var/log/gw.log")]
    [InlineData("access_log /dev/stdout;", "combined", "stdout")]
    public void AccessLogTranslates(string directive, string format, string? path)
    {
        var (root, _) = Import($"{directive}\nserver {{ location / {{ proxy_pass http://act2; }} }}\n");
        var log = root.GetProperty("Gateway").GetProperty("AccessLog");
        Assert.Equal(format, log.GetProperty("Format").GetString());
        Assert.Equal(path, log.TryGetProperty("Path", out var p) ? p.GetString() : null);
    }

    [Fact]
    public void OtherLogFormatsAreReported()
    {
        var (root, diagnostics) = Import("log_format main '$remote_addr';\naccess_log /var/log/x.log main;\nserver { location / { proxy_pass http://act2; } }\n");
        Assert.False(root.GetProperty("Gateway").TryGetProperty("AccessLog", out _));
        Assert.Contains(diagnostics, d => d.Directive == "access_log" && d.Line == 4 && d.Message.Contains("\"main\""));
        Assert.Contains(diagnostics, d => d.Directive == "log_format" && d.Line == 3);
    }

    [Fact]
    public void DifferingAccessLogsAreReported()
    {
        var (root, diagnostics) = Import("access_log /var/log/a.log;\nserver {\nlocation / { proxy_pass http://act2; access_log off; }\n}\n");
        Assert.Equal("/var/log/a.log", root.GetProperty("Gateway").GetProperty("AccessLog").GetProperty("Path").GetString());
        Assert.Contains(diagnostics, d => d.Directive == "access_log" && d.Line == 5 && d.Message.Contains("single access log"));
    }
}
