using System.Text.Json;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class ServerTranslationTests
{
    private const string Upstreams = "upstream act2 { server 10.0.0.1:6868; }\nupstream api { server 10.0.0.2:8000; }\n";

    private static JsonElement Import(string servers, out List<SaltHaGateway.Import.Nginx.ImportDiagnostic> diagnostics)
    {
        var (result, _) = TempNginxConfig.ImportText(Upstreams + servers);
        diagnostics = result.Diagnostics.ToList();
        return TempNginxConfig.Root(result);
    }

    private static JsonElement Routes(JsonElement root) => root.GetProperty("ReverseProxy").GetProperty("Routes");

    private static string[] Listen(JsonElement root) =>
        root.GetProperty("Gateway").GetProperty("Listen").EnumerateArray().Select(e => e.GetString()!).ToArray();

    // Upstreams take lines 1-2, so server text starts on line 3.
    private static void Rejected(string servers, int line, string message)
    {
        var (result, path) = TempNginxConfig.ImportText(Upstreams + servers);
        TempNginxConfig.SingleError(result, path, line, message);
    }

    [Theory]
    [InlineData("listen 80;", "http://*:80")]
    [InlineData("listen 127.0.0.1:8080;", "http://127.0.0.1:8080")]
    [InlineData("listen [::]:80;", "http://[::]:80")]
    [InlineData("listen [::1]:8081;", "http://[::1]:8081")]
    [InlineData("listen *:8000;", "http://*:8000")]
    [InlineData("listen 10.1.2.3;", "http://10.1.2.3:80")]
    [InlineData("listen 80 default_server;", "http://*:80")]
    [InlineData("", "http://*:80")]
    public void ListenBecomesKestrelUrl(string listen, string url)
    {
        var root = Import($"server {{ {listen} location / {{ proxy_pass http://act2; }} }}\n", out _);
        Assert.Equal([url], Listen(root));
    }

    [Fact]
    public void DualStackListenCollapsesToOneUrl()
    {
        var root = Import("server {\nlisten 80;\nlisten [::]:80;\nlocation / { proxy_pass http://act2; }\n}\n", out var diagnostics);
        Assert.Equal(["http://*:80"], Listen(root));
        Assert.Contains(diagnostics, d => !d.IsError && d.Message.Contains("covered by"));
    }

    [Fact]
    public void QuicListenIsReportedAndLeftOut()
    {
        var root = Import("server {\nlisten 80;\nlisten 443 quic;\nlocation / { proxy_pass http://act2; }\n}\n", out var diagnostics);
        Assert.Equal(["http://*:80"], Listen(root));
        Assert.Contains(diagnostics, d => d.Directive == "listen" && d.Line == 5 && d.Message.Contains("\"quic\""));
    }

    [Fact]
    public void QuicOnlyServerIsReportedNotTranslated()
    {
        var root = Import("server {\nlisten 443 quic;\nlocation / { proxy_pass http://act2; }\n}\n", out var diagnostics);
        Assert.Empty(Routes(root).EnumerateObject());
        Assert.Contains(diagnostics, d => d.Directive == "server" && d.Line == 3);
    }

    [Theory]
    [InlineData("listen 80 fancy;", "invalid parameter \"fancy\"")]
    [InlineData("listen 70000;", "invalid port")]
    [InlineData("listen 10.0.0.1:0;", "invalid port")]
    public void InvalidListenIsRejected(string listen, string message) =>
        Rejected($"server {{\n{listen}\nlocation / {{ proxy_pass http://act2; }}\n}}\n", 4, message);

    [Fact]
    public void SeveralServersGetHostsAndTheDefaultServerCatchesTheRest()
    {
        var root = Import("""
            server {
              listen 80;
              server_name salt.example.com;
              location / { proxy_pass http://act2; }
            }
            server {
              listen 80;
              server_name api.example.com .internal.example;
              location / { proxy_pass http://api; }
            }
            """, out _);
        var routes = Routes(root);
        var first = routes.GetProperty("act2");
        Assert.False(first.GetProperty("Match").TryGetProperty("Hosts", out _));
        Assert.Equal(1, first.GetProperty("Order").GetInt32());
        var second = routes.GetProperty("api");
        Assert.Equal(["api.example.com", "internal.example", "*.internal.example"],
            second.GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.False(second.TryGetProperty("Order", out _));
    }

    [Theory]
    [InlineData("~^(?<sub>.+)\\.example$")]
    [InlineData("www.example.*")]
    [InlineData("www.*.example")]
    [InlineData("$hostname")]
    public void ServerNamesRoutesCannotExpressAreReported(string name)
    {
        var root = Import($"server {{ listen 80; server_name a.example; location / {{ proxy_pass http://act2; }} }}\nserver {{\nlisten 80;\nserver_name b.example {name};\nlocation / {{ proxy_pass http://api; }}\n}}\n", out var diagnostics);
        Assert.Equal(["b.example"], Routes(root).GetProperty("api").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Contains(diagnostics, d => d.Directive == "server_name" && d.Line == 6 && !d.IsError && d.Message.Contains(name));
    }

    [Fact]
    public void DefaultServerFlagPicksTheCatchAll()
    {
        var root = Import("""
            server { listen 80; server_name a.example; location / { proxy_pass http://act2; } }
            server { listen 80 default_server; server_name b.example; location / { proxy_pass http://api; } }
            """, out _);
        var routes = Routes(root);
        Assert.Equal(["a.example"], routes.GetProperty("act2").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.False(routes.GetProperty("api").GetProperty("Match").TryGetProperty("Hosts", out _));
    }

    [Fact]
    public void ServersOnDifferentPortsAreToldApartByPort()
    {
        var root = Import("""
            server { listen 80; location / { proxy_pass http://act2; } }
            server { listen 127.0.0.1:8090; server_name api.local; location / { proxy_pass http://api; } }
            """, out _);
        Assert.Equal(["http://*:80", "http://127.0.0.1:8090"], Listen(root));
        var routes = Routes(root);
        Assert.Equal(["*:80"], routes.GetProperty("act2").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(["*:8090"], routes.GetProperty("api").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public void DualStackServerSharesItsSocketWithAnIPv4OnlyServer()
    {
        var root = Import("""
            server { listen 80; listen [::]:80; server_name a.example; location / { proxy_pass http://act2; } }
            server { listen 80; server_name b.example; location / { proxy_pass http://api; } }
            """, out _);
        Assert.Equal(["http://*:80"], Listen(root));
        var routes = Routes(root);
        Assert.False(routes.GetProperty("act2").GetProperty("Match").TryGetProperty("Hosts", out _));
        Assert.Equal(1, routes.GetProperty("act2").GetProperty("Order").GetInt32());
        Assert.Equal(["b.example"], routes.GetProperty("api").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public void ServerThatIsDefaultOnOnePortAndNamedOnAnotherMatchesBoth()
    {
        var root = Import("""
            server { listen 80; server_name a.example; location / { proxy_pass http://act2; } }
            server { listen 80; listen 8080; server_name b.example; location / { proxy_pass http://api; } }
            """, out _);
        var routes = Routes(root);
        Assert.Equal(["*:80"], routes.GetProperty("act2").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(1, routes.GetProperty("act2").GetProperty("Order").GetInt32());
        Assert.Equal(["b.example:80", "*:8080"], routes.GetProperty("api").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.False(routes.GetProperty("api").TryGetProperty("Order", out _));
        Assert.Equal(2, routes.EnumerateObject().Count());
    }

    [Fact]
    public void DefaultServerSharingOnePortButAloneOnAnotherGetsTwoRoutes()
    {
        var root = Import("""
            server { listen 80; listen 8080; location / { proxy_pass http://act2; } }
            server { listen 80; server_name b.example; location / { proxy_pass http://api; } }
            """, out _);
        var routes = Routes(root);
        Assert.Equal(["*:80"], routes.GetProperty("act2").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal(1, routes.GetProperty("act2").GetProperty("Order").GetInt32());
        Assert.Equal(["*:8080"], routes.GetProperty("act2-2").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
        Assert.False(routes.GetProperty("act2-2").TryGetProperty("Order", out _));
        Assert.Equal(["b.example:80"], routes.GetProperty("api").GetProperty("Match").GetProperty("Hosts").EnumerateArray().Select(h => h.GetString()));
    }

    [Fact]
    public void NamelessNonDefaultServerIsReported()
    {
        var root = Import("server {\nlisten 80;\nlocation / { proxy_pass http://act2; }\n}\nserver {\nlisten 80;\nlocation / { proxy_pass http://api; }\n}\n", out var diagnostics);
        Assert.Single(Routes(root).EnumerateObject());
        Assert.Contains(diagnostics, d => d.Directive == "server" && d.Line == 7 && d.Message.Contains("not the default server"));
    }

    [Theory]
    [InlineData("location /", "/{**catch-all}")]
    [InlineData("location /x/", "/x/{**catch-all}")]
    [InlineData("location ^~ /x/", "/x/{**catch-all}")]
    [InlineData("location = /x", "/x")]
    [InlineData("location =/x", "/x")]
    public void LocationsBecomeRoutePaths(string location, string path)
    {
        var root = Import($"server {{ {location} {{ proxy_pass http://act2; }} }}\n", out var diagnostics);
        Assert.Equal(path, Routes(root).GetProperty("act2").GetProperty("Match").GetProperty("Path").GetString());
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void PrefixWithoutTrailingSlashIsTranslatedWithAWarning()
    {
        var root = Import("server {\nlocation /api { proxy_pass http://api; }\n}\n", out var diagnostics);
        Assert.Equal("/api/{**catch-all}", Routes(root).GetProperty("api").GetProperty("Match").GetProperty("Path").GetString());
        Assert.Contains(diagnostics, d => d.Directive == "location" && d.Line == 4 && !d.IsError);
    }

    [Theory]
    [InlineData("location ~ \\.php$", "regex")]
    [InlineData("location ~* /API/", "regex")]
    [InlineData("location @fallback", "named")]
    public void RegexAndNamedLocationsAreReported(string location, string kind)
    {
        var root = Import($"server {{\n{location} {{ proxy_pass http://act2; }}\n}}\n", out var diagnostics);
        Assert.Empty(Routes(root).EnumerateObject());
        Assert.Contains(diagnostics, d => d.Directive == "location" && d.Line == 4 && d.Message.Contains(kind));
    }

    [Theory]
    [InlineData("location /", "http://act2/", new string[0])]
    [InlineData("location /api/", "http://api/", new[] { "PathRemovePrefix=/api" })]
    [InlineData("location /api/", "http://api/v2/", new[] { "PathRemovePrefix=/api", "PathPrefix=/v2" })]
    [InlineData("location /", "http://api/app/", new[] { "PathPrefix=/app" })]
    [InlineData("location /api", "http://api/v2", new[] { "PathRemovePrefix=/api", "PathPrefix=/v2" })]
    [InlineData("location = /login", "http://api/auth/login", new[] { "PathSet=/auth/login" })]
    public void ProxyPassUriBecomesPathTransforms(string location, string proxyPass, string[] transforms)
    {
        var root = Import($"server {{ {location} {{ proxy_pass {proxyPass}; }} }}\n", out _);
        var route = Routes(root).EnumerateObject().Single().Value;
        var actual = route.TryGetProperty("Transforms", out var t)
            ? t.EnumerateArray().Select(o => o.EnumerateObject().Single()).Select(p => $"{p.Name}={p.Value.GetString()}").ToArray()
            : [];
        Assert.Equal(transforms, actual);
    }

    [Theory]
    [InlineData("location /api/", "http://api/v2")]
    [InlineData("location /", "http://api/app")]
    [InlineData("location /api", "http://api/v2/")]
    public void InexactUriReplacementIsReported(string location, string proxyPass)
    {
        var root = Import($"server {{\n{location} {{\nproxy_pass {proxyPass};\n}}\n}}\n", out var diagnostics);
        Assert.Empty(Routes(root).EnumerateObject());
        Assert.Contains(diagnostics, d => d.Directive == "proxy_pass" && d.Line == 5 && !d.IsError && d.Message.Contains("no exact path transform"));
    }

    [Fact]
    public void ProxyPassToAnAddressMakesItsOwnCluster()
    {
        var root = Import("server { location / { proxy_pass http://127.0.0.1:8000; } }\n", out _);
        var cluster = root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("127.0.0.1_8000");
        Assert.Equal("http://127.0.0.1:8000", cluster.GetProperty("Destinations").GetProperty("127.0.0.1:8000").GetProperty("Address").GetString());
        Assert.Equal("127.0.0.1_8000", Routes(root).GetProperty("127.0.0.1_8000").GetProperty("ClusterId").GetString());
    }

    [Fact]
    public void HttpsProxyPassMakesHttpsDestinations()
    {
        var root = Import("server { location / { proxy_pass https://act2; } }\n", out _);
        var cluster = root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2");
        Assert.Equal("https://10.0.0.1:6868", cluster.GetProperty("Destinations").GetProperty("10.0.0.1:6868").GetProperty("Address").GetString());
    }

    [Fact]
    public void UpstreamNamesResolveCaseInsensitivelyAndMayBeDefinedLater()
    {
        var (result, _) = TempNginxConfig.ImportText("server { location / { proxy_pass http://LATER; } }\nupstream later { server 10.0.0.9:80; }\n");
        Assert.Equal("later", TempNginxConfig.Root(result).GetProperty("ReverseProxy").GetProperty("Routes").GetProperty("later").GetProperty("ClusterId").GetString());
    }

    [Theory]
    [InlineData("proxy_pass http://act3;", "host not found in upstream \"act3\"")]
    [InlineData("proxy_pass http://act2:8080;", "upstream \"act2\" may not have port 8080")]
    [InlineData("proxy_pass ftp://act2;", "invalid URL prefix in \"ftp://act2\"")]
    [InlineData("proxy_pass http://10.0.0.1:0;", "invalid port")]
    [InlineData("proxy_pass http://act2 extra;", "invalid number of arguments in \"proxy_pass\" directive")]
    public void BadProxyPassIsRejected(string proxyPass, string message) =>
        Rejected($"server {{\nlocation / {{\n{proxyPass}\n}}\n}}\n", 5, message);

    [Fact]
    public void ProxyPassWithVariablesIsReported()
    {
        var root = Import("server { location / { proxy_pass http://$host; } }\n", out var diagnostics);
        Assert.Empty(Routes(root).EnumerateObject());
        Assert.Contains(diagnostics, d => d.Directive == "proxy_pass" && !d.IsError);
    }

    [Fact]
    public void DuplicateLocationIsRejected() =>
        Rejected("server {\nlocation / { proxy_pass http://act2; }\nlocation / { proxy_pass http://api; }\n}\n", 5, "duplicate location \"/\"");

    [Fact]
    public void CheckStatusBecomesAStatusPageWithItsAccessRules()
    {
        var root = Import("""
            server {
              listen 80;
              location / { proxy_pass http://act2; }
              location /status {
                check_status;
                access_log off;
                allow 127.0.0.1;
                allow 10.0.0.0/8;
                deny all;
              }
            }
            """, out _);
        var page = Assert.Single(root.GetProperty("Gateway").GetProperty("StatusPages").EnumerateArray());
        Assert.Equal("/status", page.GetProperty("Path").GetString());
        Assert.Equal("allow 127.0.0.1; allow 10.0.0.0/8; deny all", page.GetProperty("Access").GetString());
        Assert.Single(Routes(root).EnumerateObject());
        Assert.Equal("off", root.GetProperty("Gateway").GetProperty("AccessLog").GetProperty("Format").GetString());
    }

    [Fact]
    public void CheckStatusWithAnUnknownFormatIsRejected() =>
        Rejected("server {\nlocation /status {\ncheck_status xml;\n}\n}\n", 5, "invalid value \"xml\"");

    [Fact]
    public void CheckStatusDefaultFormatIsKept()
    {
        var root = Import("server {\nlisten 80;\nlocation /nstatus {\ncheck_status json;\n}\n}\n", out var diagnostics);
        var page = Assert.Single(root.GetProperty("Gateway").GetProperty("StatusPages").EnumerateArray());
        Assert.Equal("json", page.GetProperty("Format").GetString());
        Assert.DoesNotContain(diagnostics, d => d.Directive == "check_status");
        Assert.False(Assert.Single(root.GetProperty("Gateway").GetProperty("StatusPages").EnumerateArray()).TryGetProperty("Access", out _));
    }
}
