using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Import.Tests.Nginx;

/// <summary>
/// An imported config served by plain YARP on loopback, with real backends: the routes, hosts, orders and path
/// transforms send each request where nginx would.
/// </summary>
public sealed class ImportedRoutingTests
{
    [Fact]
    public async Task RequestsReachTheBackendNginxWouldPick()
    {
        await using var backendA = await Backend.StartAsync("a");
        await using var backendB = await Backend.StartAsync("b");
        var port = TestPorts.Free();
        var (result, _) = TempNginxConfig.ImportText($$"""
            upstream a { server 127.0.0.1:{{backendA.Port}}; }
            upstream b { server 127.0.0.1:{{backendB.Port}}; }
            server {
              listen 127.0.0.1:{{port}};
              server_name named.test;
              location /api/ { proxy_pass http://b/v2/; }
              location = /login { proxy_pass http://b/auth/login; }
              location / { proxy_pass http://b; }
            }
            server {
              listen 127.0.0.1:{{port}} default_server;
              location / { proxy_pass http://a; }
            }
            """);
        var root = TempNginxConfig.Root(result);
        var listen = root.GetProperty("Gateway").GetProperty("Listen").EnumerateArray().Single().GetString()!;
        Assert.Equal($"http://127.0.0.1:{port}", listen);

        await using var gateway = await StartGatewayAsync(root.GetProperty("ReverseProxy"), listen);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        Assert.Equal("b /v2/x?q=1", await GetAsync(client, port, "named.test", "/api/x?q=1"));
        Assert.Equal("b /auth/login", await GetAsync(client, port, "named.test", "/login"));
        Assert.Equal("b /other", await GetAsync(client, port, "named.test", "/other"));
        Assert.Equal("a /api/x", await GetAsync(client, port, "unknown.test", "/api/x"));
        Assert.Equal("a /", await GetAsync(client, port, "unknown.test", "/"));
    }

    [Fact]
    public async Task ServersOnDifferentPortsStaySeparate()
    {
        await using var backendA = await Backend.StartAsync("a");
        await using var backendB = await Backend.StartAsync("b");
        var (portA, portB) = (TestPorts.Free(), TestPorts.Free());
        var (result, _) = TempNginxConfig.ImportText($$"""
            server { listen 127.0.0.1:{{portA}}; location / { proxy_pass http://127.0.0.1:{{backendA.Port}}; } }
            server { listen 127.0.0.1:{{portB}}; server_name api.test; location / { proxy_pass http://127.0.0.1:{{backendB.Port}}; } }
            """);
        var root = TempNginxConfig.Root(result);
        var listen = root.GetProperty("Gateway").GetProperty("Listen").EnumerateArray().Select(e => e.GetString()!).ToArray();
        Assert.Equal([$"http://127.0.0.1:{portA}", $"http://127.0.0.1:{portB}"], listen);

        await using var gateway = await StartGatewayAsync(root.GetProperty("ReverseProxy"), string.Join(';', listen));
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        Assert.Equal("a /x", await GetAsync(client, portA, "api.test", "/x"));
        Assert.Equal("b /x", await GetAsync(client, portB, "api.test", "/x"));
        Assert.Equal("b /y", await GetAsync(client, portB, "other.test", "/y"));
    }

    private static async Task<string> GetAsync(HttpClient client, int port, string host, string pathAndQuery)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}{pathAndQuery}");
        request.Headers.Host = $"{host}:{port}";
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<WebApplication> StartGatewayAsync(JsonElement reverseProxy, string listen)
    {
        var routes = reverseProxy.GetProperty("Routes").Deserialize<Dictionary<string, RouteConfig>>()!
            .Select(r => r.Value with { RouteId = r.Key }).ToList();
        var clusters = reverseProxy.GetProperty("Clusters").Deserialize<Dictionary<string, ClusterConfig>>()!
            .Select(c => c.Value with { ClusterId = c.Key }).ToList();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(listen);
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
        var app = builder.Build();
        app.MapReverseProxy();
        await app.StartAsync();
        return app;
    }

    /// <summary>A loopback HTTP server answering "NAME PATH?QUERY".</summary>
    private sealed class Backend : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Backend(WebApplication app, int port)
        {
            _app = app;
            Port = port;
        }

        public int Port { get; }

        public static async Task<Backend> StartAsync(string name)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.Run(context => context.Response.WriteAsync($"{name} {context.Request.Path}{context.Request.QueryString}"));
            await app.StartAsync();
            var address = app.Urls.Single();
            return new Backend(app, new Uri(address).Port);
        }

        public ValueTask DisposeAsync() => _app.DisposeAsync();
    }
}
