using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class NginxValueTests
{
    [Theory]
    [InlineData("10", 10_000)]
    [InlineData("10s", 10_000)]
    [InlineData("500ms", 500)]
    [InlineData("1m30s", 90_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("00:00:03", 3_000)]
    public void Times_parse_as_nginx(string text, double ms)
    {
        Assert.True(NginxValue.TryParseTime(text, out var t));
        Assert.Equal(ms, t.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("ten")]
    [InlineData("5x")]
    [InlineData("-1s")]
    [InlineData("10 s")]
    public void Bad_times_are_rejected(string text) => Assert.False(NginxValue.TryParseTime(text, out _));

    [Theory]
    [InlineData("1m", 1_048_576)]
    [InlineData("512k", 524_288)]
    [InlineData("100", 100)]
    [InlineData("1G", 1_073_741_824)]
    public void Sizes_parse_as_nginx(string text, long bytes)
    {
        Assert.True(NginxValue.TryParseSize(text, out var b));
        Assert.Equal(bytes, b);
    }

    [Theory]
    [InlineData("1q")]
    [InlineData("m")]
    [InlineData("1.5m")]
    public void Bad_sizes_are_rejected(string text) => Assert.False(NginxValue.TryParseSize(text, out _));
}
