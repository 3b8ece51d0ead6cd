using System.Text.Json;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class NginxConfigImporterTests
{
    private static string TodaysConfig(bool check, bool ipHash) => $$"""
        upstream act2 {
          server 192.168.1.19:6868;
          server 192.168.1.20:6868;
          {{(check ? "" : "#")}}check interval=3000 rise=2 fall=5 timeout=1000 type=tcp;
          {{(ipHash ? "" : "#")}}ip_hash;
        }
        server {
                listen 80;
                location / {
                        proxy_pass http://act2;
                        proxy_set_header Host $host:$server_port;
                }
        }
        """;

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void TodaysConfigImports(bool check, bool ipHash)
    {
        var (result, _) = TempNginxConfig.ImportText(TodaysConfig(check, ipHash));
        var root = TempNginxConfig.Root(result);
        Assert.Empty(result.Diagnostics);

        var listen = root.GetProperty("Gateway").GetProperty("Listen");
        Assert.Equal(["http://*:80"], listen.EnumerateArray().Select(e => e.GetString()));

        var routes = root.GetProperty("ReverseProxy").GetProperty("Routes");
        var route = Assert.Single(routes.EnumerateObject());
        Assert.Equal("act2", route.Name);
        Assert.Equal("act2", route.Value.GetProperty("ClusterId").GetString());
        Assert.Equal("/{**catch-all}", route.Value.GetProperty("Match").GetProperty("Path").GetString());
        Assert.False(route.Value.GetProperty("Match").TryGetProperty("Hosts", out _));
        Assert.Equal("$host:$server_port", route.Value.GetProperty("Metadata").GetProperty("ProxySetHeader.Host").GetString());
        Assert.False(route.Value.TryGetProperty("Transforms", out _));

        var cluster = root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2");
        var metadata = cluster.GetProperty("Metadata");
        Assert.Equal(ipHash ? "ip_hash" : "round_robin", metadata.GetProperty("Balance").GetString());
        if (check)
        {
            Assert.Equal("interval=3000 rise=2 fall=5 timeout=1000 type=tcp", metadata.GetProperty("Check").GetString());
        }
        else
        {
            Assert.False(metadata.TryGetProperty("Check", out _));
        }

        var destinations = cluster.GetProperty("Destinations").EnumerateObject().ToList();
        Assert.Equal(["192.168.1.19:6868", "192.168.1.20:6868"], destinations.Select(d => d.Name));
        Assert.Equal(["http://192.168.1.19:6868", "http://192.168.1.20:6868"],
            destinations.Select(d => d.Value.GetProperty("Address").GetString()));
    }

    [Fact]
    public void OutputIsIndentedAndStable()
    {
        var (first, _) = TempNginxConfig.ImportText(TodaysConfig(true, true));
        var (second, _) = TempNginxConfig.ImportText(TodaysConfig(true, true));
        Assert.Equal(first.Json, second.Json);
        Assert.Contains("\n  \"Gateway\": {", first.Json);
        Assert.StartsWith("{\n  \"Gateway\"", first.Json);
        Assert.True(first.Json.IndexOf("\"Gateway\"", StringComparison.Ordinal) < first.Json.IndexOf("\"ReverseProxy\"", StringComparison.Ordinal));
    }

    [Fact]
    public void FullNginxConfWithHttpAndEventsImports()
    {
        using var config = new TempNginxConfig();
        config.Write("mime.types", "types {\n    text/html html htm;\n    application/json json;\n}\n");
        config.Write("conf.d/act2.conf", TodaysConfig(true, false));
        var main = config.Write("nginx.conf", """
            user www-data;
            worker_processes auto;
            pid /run/nginx.pid;

            events {
                worker_connections 768;
            }

            http {
                include mime.types;
                default_type application/octet-stream;
                sendfile on;
                access_log /var/log/nginx/access.log;
                client_max_body_size 20m;
                include conf.d/*.conf;
            }
            """);

        var result = NginxConfigImporter.Import(main);
        var root = TempNginxConfig.Root(result);

        var cluster = root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2");
        Assert.Equal(2, cluster.GetProperty("Destinations").EnumerateObject().Count());
        var route = root.GetProperty("ReverseProxy").GetProperty("Routes").GetProperty("act2");
        Assert.Equal(20L * 1024 * 1024, route.GetProperty("MaxRequestBodySize").GetInt64());
        var log = root.GetProperty("Gateway").GetProperty("AccessLog");
        Assert.Equal("combined", log.GetProperty("Format").GetString());
        Assert.Equal("/var/log/nginx/access.log", log.GetProperty("Path").GetString());

        // Nothing silently dropped: each untranslated directive is named with its file and line.
        var warnings = result.Diagnostics.Where(d => !d.IsError).ToList();
        Assert.Contains(warnings, d => d.Directive == "user" && d.Line == 1 && d.File == main);
        Assert.Contains(warnings, d => d.Directive == "worker_processes" && d.Line == 2);
        Assert.Contains(warnings, d => d.Directive == "pid" && d.Line == 3);
        Assert.Contains(warnings, d => d.Directive == "events" && d.Line == 5);
        Assert.Contains(warnings, d => d.Directive == "types" && d.File == Path.Combine(config.Dir, "mime.types") && d.Line == 1);
        Assert.Contains(warnings, d => d.Directive == "default_type" && d.Line == 11);
        Assert.Contains(warnings, d => d.Directive == "sendfile" && d.Line == 12);
    }

    [Fact]
    public void ServerOutsideHttpInFullConfigIsRejected()
    {
        var (result, path) = TempNginxConfig.ImportText("events {}\nhttp {}\nserver { listen 80; }\n");
        TempNginxConfig.SingleError(result, path, 3, "\"server\" directive is not allowed here");
    }

    [Fact]
    public void MissingFileIsADiagnosticNotAnException()
    {
        var path = Path.Combine(Path.GetTempPath(), "no-such-dir-" + Guid.NewGuid().ToString("N"), "nginx.conf");
        var result = NginxConfigImporter.Import(path);
        Assert.False(result.Succeeded);
        Assert.Equal("", result.Json);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.File == path);
    }

    [Fact]
    public void UnknownDirectivesAreReportedNotDropped()
    {
        var (result, path) = TempNginxConfig.ImportText("""
            upstream act2 {
              server 10.0.0.1:80;
              zone act2 64k;
            }
            server {
              listen 80;
              frobnicate on;
              location / {
                proxy_pass http://act2;
                proxy_buffering off;
              }
            }
            """);
        Assert.True(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.Directive == "zone" && d.Line == 3 && d.File == path && !d.IsError);
        Assert.Contains(result.Diagnostics, d => d.Directive == "frobnicate" && d.Line == 7 && d.Message.Contains("not translated"));
        Assert.Contains(result.Diagnostics, d => d.Directive == "proxy_buffering" && d.Line == 10);
    }

    [Fact]
    public void JsonParsesAsStrictJson()
    {
        var (result, _) = TempNginxConfig.ImportText(TodaysConfig(true, true));
        using var doc = JsonDocument.Parse(result.Json, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
    }
}
