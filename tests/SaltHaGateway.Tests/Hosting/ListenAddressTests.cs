using SaltHaGateway.Hosting;

namespace SaltHaGateway.Tests.Hosting;

public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("http://*:80", null, 80)]
    [InlineData("http://0.0.0.0:8080", null, 8080)]
    [InlineData("http://[::]:80", null, 80)]
    [InlineData("http://127.0.0.1:9145", "127.0.0.1", 9145)]
    [InlineData("http://localhost:9145/", "127.0.0.1", 9145)]
    [InlineData("http://[::1]:9145", "::1", 9145)]
    public void Parses_listener_urls(string url, string? address, int port)
    {
        Assert.True(ListenAddress.TryParse(url, out var parsed, out var error), error);
        Assert.Equal(address, parsed!.Address?.ToString());
        Assert.Equal(port, parsed.Port);
        Assert.False(parsed.Https);
    }

    [Theory]
    [InlineData("https://*:443", null, 443)]
    [InlineData("HTTPS://[::]:443/", null, 443)]
    [InlineData("https://127.0.0.1:8443", "127.0.0.1", 8443)]
    [InlineData("https://[::1]:8443", "::1", 8443)]
    public void Parses_https_listener_urls(string url, string? address, int port)
    {
        Assert.True(ListenAddress.TryParse(url, out var parsed, out var error), error);
        Assert.True(parsed!.Https);
        Assert.Equal(address, parsed.Address?.ToString());
        Assert.Equal(port, parsed.Port);
    }

    [Theory]
    [InlineData("ftp://*:21", "only http:// and https://")]
    [InlineData("https://*", "no port")]
    [InlineData("http://*", "no port")]
    [InlineData("http://*:99999", "invalid port")]
    [InlineData("http://salt.example.com:80", "not an IP address")]
    [InlineData("", "missing")]
    public void Rejects_what_it_cannot_listen_on(string url, string reason)
    {
        Assert.False(ListenAddress.TryParse(url, out _, out var error));
        Assert.Contains(reason, error);
    }
}
