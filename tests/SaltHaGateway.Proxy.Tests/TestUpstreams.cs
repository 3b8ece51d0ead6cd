using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Tests;

/// <summary>Builds upstreams from nginx-like server lists for balancer and availability tests.</summary>
internal static class TestUpstreams
{
    public static Upstream Create(FakeTimeProvider time, string balance, params (string Name, ServerOptions Options)[] servers)
    {
        BalanceMethod.TryParse(balance, out var method, out var error);
        Assert.Null(error);
        var options = new UpstreamOptions { Balance = method! };
        var model = new ClusterModel(new ClusterConfig { ClusterId = "u" }, new HttpMessageInvoker(new SocketsHttpHandler()));
        var list = servers.Select((s, i) => new UpstreamServer(i, s.Name, s.Name, s.Options, new DestinationState(s.Name))).ToList();
        return new Upstream("u", options, model, list, time);
    }

    public static Upstream Create(FakeTimeProvider time, string balance, params string[] names) =>
        Create(time, balance, names.Select(n => (n, ServerOptions.Default)).ToArray());

    public static HttpContext Client(string ip, string? header = null)
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(ip);
        if (header is not null) context.Request.Headers["X-Auth-Token"] = header;
        return context;
    }

    public static string PickName(Upstream upstream, HttpContext context, bool[]? tried = null) => upstream.Pick(context, tried)?.Name ?? "none";
}
