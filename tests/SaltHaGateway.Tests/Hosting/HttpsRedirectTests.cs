using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using SaltHaGateway.Hosting;
using SaltHaGateway.Proxy.Forwarding;

namespace SaltHaGateway.Tests.Hosting;

public sealed class HttpsRedirectTests
{
    private static DefaultHttpContext Request(int localPort, string? host, string rawTarget)
    {
        var context = new DefaultHttpContext();
        context.Connection.LocalIpAddress = IPAddress.Parse("192.0.2.10");
        context.Connection.LocalPort = localPort;
        if (host is not null) context.Request.Host = new HostString(host);
        context.Features.Get<IHttpRequestFeature>()!.RawTarget = rawTarget;
        return context;
    }

    private static async Task<DefaultHttpContext> SendAsync(HttpsRedirect redirect, DefaultHttpContext context)
    {
        await redirect.InvokeAsync(context, () => { context.Response.StatusCode = 299; return Task.CompletedTask; });
        return context;
    }

    [Theory]
    [InlineData(443, "Salt.Example.COM", "/login?next=%2F", "https://salt.example.com/login?next=%2F")]
    [InlineData(443, "salt.example.com:80", "/", "https://salt.example.com/")]
    [InlineData(8443, "salt.example.com", "/a//b", "https://salt.example.com:8443/a//b")]
    [InlineData(443, null, "/x", "https://192.0.2.10/x")]
    public async Task Plain_port_answers_301_to_https_host_and_request_uri(int httpsPort, string? host, string target, string location)
    {
        var context = await SendAsync(new HttpsRedirect([80], httpsPort, 9145, new ProxyPathWarmup()), Request(80, host, target));
        Assert.Equal(StatusCodes.Status301MovedPermanently, context.Response.StatusCode);
        Assert.Equal(location, context.Response.Headers.Location.ToString());
    }

    [Theory]
    [InlineData(8080)]   // a proxy port not listed
    [InlineData(9145)]   // the admin listener
    public async Task Other_ports_are_not_redirected(int port)
    {
        var context = await SendAsync(new HttpsRedirect([80, 9145], 443, 9145, new ProxyPathWarmup()), Request(port, "salt.example.com", "/"));
        Assert.Equal(299, context.Response.StatusCode);
    }
}
