using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class NginxVariableExpressionTests
{
    private static HttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Request.Host = new HostString("Salt.Example.com", 8443);
        context.Request.Scheme = "http";
        context.Request.Path = "/run";
        context.Request.QueryString = new QueryString("?a=1");
        context.Request.Headers["X-Auth-Token"] = "tok";
        context.Request.Headers["X-Forwarded-For"] = "10.9.9.9";
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("::ffff:127.0.0.5");
        context.Connection.LocalPort = 80;
        return context;
    }

    [Theory]
    [InlineData("$host:$server_port", "salt.example.com:80")]
    [InlineData("${host}x", "salt.example.comx")]
    [InlineData("$remote_addr", "127.0.0.5")]
    [InlineData("$proxy_add_x_forwarded_for", "10.9.9.9, 127.0.0.5")]
    [InlineData("$http_x_auth_token", "tok")]
    [InlineData("$request_uri", "/run?a=1")]
    [InlineData("$scheme://$proxy_host", "http://act2")]
    [InlineData("literal", "literal")]
    public void Evaluates_like_nginx(string text, string expected)
    {
        Assert.True(NginxVariableExpression.TryParse(text, out var e, out var error), error);
        Assert.Equal(expected, e!.Evaluate(Request(), "act2"));
    }

    [Fact]
    public void Unknown_variable_is_an_error()
    {
        Assert.False(NginxVariableExpression.TryParse("$nonsense", out _, out var error));
        Assert.Equal("unknown \"nonsense\" variable", error);
    }
}
