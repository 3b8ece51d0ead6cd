using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class NginxTimeAndSizeTests
{
    [Theory]
    [InlineData("3", false, 3000L)]
    [InlineData("500ms", false, 500L)]
    [InlineData("1m", false, 60_000L)]
    [InlineData("1h 30m", false, 5_400_000L)]
    [InlineData("1d", true, 86_400_000L)]
    [InlineData("2w", true, 1_209_600_000L)]
    [InlineData("10", true, 10_000L)]
    [InlineData("1m30", false, 90_000L)]
    [InlineData("1s500", false, 501_000L)]
    public void TimeParses(string text, bool seconds, long ms)
    {
        Assert.True(NginxTime.TryParse(text, seconds, out var value));
        Assert.Equal(ms, value);
    }

    [Theory]
    [InlineData("", false)]
    [InlineData("s", false)]
    [InlineData("10x", false)]
    [InlineData("1s1m", false)]
    [InlineData("1m1m", false)]
    [InlineData("-1", false)]
    [InlineData("500ms", true)]
    [InlineData("1.5s", false)]
    public void TimeRejects(string text, bool seconds) => Assert.False(NginxTime.TryParse(text, seconds, out _));

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(1500L, "1500ms")]
    [InlineData(3000L, "3s")]
    [InlineData(120_000L, "2m")]
    [InlineData(7_200_000L, "2h")]
    [InlineData(86_400_000L, "24h")]
    public void TimeFormatsInGatewayUnits(long ms, string text) => Assert.Equal(text, NginxTime.Format(ms));

    [Theory]
    [InlineData("1", 1L)]
    [InlineData("1k", 1024L)]
    [InlineData("2M", 2L * 1024 * 1024)]
    [InlineData("1g", 1024L * 1024 * 1024)]
    public void SizeParses(string text, long bytes)
    {
        Assert.True(NginxSize.TryParse(text, out var value));
        Assert.Equal(bytes, value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("k")]
    [InlineData("1kb")]
    [InlineData("1t")]
    [InlineData(" 1")]
    public void SizeRejects(string text) => Assert.False(NginxSize.TryParse(text, out _));
}
