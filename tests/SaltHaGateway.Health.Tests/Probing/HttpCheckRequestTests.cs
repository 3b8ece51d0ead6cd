using System.Text;

namespace SaltHaGateway.Health.Tests.Probing;

public sealed class HttpCheckRequestTests
{
    private static string Build(string send, string? host) => Encoding.Latin1.GetString(HttpCheckRequest.Build(send, host));

    [Fact]
    public void Sends_the_configured_bytes_as_they_are_without_a_host()
        => Assert.Equal("GET / HTTP/1.0\r\n\r\n", Build("GET / HTTP/1.0\r\n\r\n", null));

    [Fact]
    public void Adds_the_per_server_host_after_the_request_line()
        => Assert.Equal("GET /health HTTP/1.1\r\nHost: salt.example:8090\r\nX: 1\r\n\r\n",
            Build("GET /health HTTP/1.1\r\nX: 1\r\n\r\n", "salt.example:8090"));

    [Fact]
    public void Keeps_a_host_header_already_in_the_request()
        => Assert.Equal("GET / HTTP/1.1\r\nhost: a\r\n\r\n", Build("GET / HTTP/1.1\r\nhost: a\r\n\r\n", "b"));

    [Fact]
    public void Warns_only_for_http11_without_any_host()
    {
        Assert.True(HttpCheckRequest.LacksRequiredHost("GET / HTTP/1.1\r\n\r\n", null));
        Assert.False(HttpCheckRequest.LacksRequiredHost("GET / HTTP/1.1\r\n\r\n", "a"));
        Assert.False(HttpCheckRequest.LacksRequiredHost("GET / HTTP/1.1\r\nHost: a\r\n\r\n", null));
        Assert.False(HttpCheckRequest.LacksRequiredHost("GET / HTTP/1.0\r\n\r\n", null));
    }

    [Theory]
    [InlineData("salt.example:8443", "10.0.0.1", "salt.example")]
    [InlineData("salt.example", "10.0.0.1", "salt.example")]
    [InlineData(null, "master-a.example", "master-a.example")]
    [InlineData(null, "127.0.0.1", null)]
    [InlineData("[::1]:443", "::1", null)]
    public void Tls_server_name(string? hostHeader, string host, string? expected)
    {
        var probe = new ProbeDefinition(host, 443, hostHeader, CheckType.Https, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1), "", HttpStatusClassesParser.Default, false);
        Assert.Equal(expected, SocketHealthProber.TlsServerName(probe));
    }
}
