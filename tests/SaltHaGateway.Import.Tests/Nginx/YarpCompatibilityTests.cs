using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary>The imported routes and clusters, read as YARP's own config types and checked by YARP's validator.</summary>
public sealed class YarpCompatibilityTests
{
    private const string Config = """
        upstream act2 {
          server 192.168.1.19:6868 weight=2;
          server 192.168.1.20:6868 backup;
          check interval=3000 rise=2 fall=5 timeout=1000 type=tcp port=6869;
        }
        server {
          listen 80;
          server_name salt.example.com;
          location / { proxy_pass http://act2; proxy_set_header Host $host:$server_port; allow 10.0.0.0/8; deny all; }
          location /api/ { proxy_pass http://act2/v2/; client_max_body_size 0; }
          location = /login { proxy_pass http://act2/auth; }
        }
        server {
          listen 8080;
          server_name other.example.com;
          location / { proxy_pass http://127.0.0.1:8000; }
        }
        """;

    [Fact]
    public async Task ImportedRoutesAndClustersPassYarpValidation()
    {
        var (result, _) = TempNginxConfig.ImportText(Config);
        var proxy = TempNginxConfig.Root(result).GetProperty("ReverseProxy");
        var routes = proxy.GetProperty("Routes").Deserialize<Dictionary<string, RouteConfig>>()!
            .Select(r => r.Value with { RouteId = r.Key }).ToList();
        var clusters = proxy.GetProperty("Clusters").Deserialize<Dictionary<string, ClusterConfig>>()!
            .Select(c => c.Value with { ClusterId = c.Key }).ToList();

        var services = new ServiceCollection();
        services.AddLogging();
        services.AddRouting();
        services.AddReverseProxy();
        await using var provider = services.BuildServiceProvider();
        var validator = provider.GetRequiredService<IConfigValidator>();

        Assert.Equal(4, routes.Count);
        foreach (var route in routes)
        {
            Assert.Empty(await validator.ValidateRouteAsync(route));
            Assert.Contains(clusters, c => c.ClusterId == route.ClusterId);
        }

        Assert.Equal(2, clusters.Count);
        foreach (var cluster in clusters)
        {
            Assert.Empty(await validator.ValidateClusterAsync(cluster));
        }

        var act2 = clusters.Single(c => c.ClusterId == "act2");
        Assert.Equal("http://192.168.1.19:6868", act2.Destinations!["192.168.1.19:6868"].Address);
        Assert.Equal("http://192.168.1.19:6869", act2.Destinations["192.168.1.19:6868"].Health);
        Assert.Equal("2", act2.Destinations["192.168.1.19:6868"].Metadata!["Weight"]);
        Assert.Equal("true", act2.Destinations["192.168.1.20:6868"].Metadata!["Backup"]);
        Assert.Equal(-1, routes.Single(r => r.Match.Path == "/api/{**catch-all}").MaxRequestBodySize);
        // Alone on port 80, the first server is the default there: it takes every Host arriving on port 80.
        Assert.Equal(["*:80"], routes.Single(r => r.RouteId == "act2").Match.Hosts!);
        Assert.Equal(["*:8080"], routes.Single(r => r.ClusterId == "127.0.0.1_8000").Match.Hosts!);
    }
}
