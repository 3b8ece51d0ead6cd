using System.Net;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class AccessRulesTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("10.1.9.9", false)]
    [InlineData("192.168.1.1", false)]
    public void First_matching_rule_wins(string client, bool allowed)
    {
        Assert.True(AccessRules.TryParse("allow 127.0.0.1; deny 10.1.9.0/24; allow 10.0.0.0/8; deny all", out var rules, out _));
        Assert.Equal(allowed, rules!.IsAllowed(IPAddress.Parse(client)));
    }

    [Fact]
    public void No_matching_rule_allows()
    {
        Assert.True(AccessRules.TryParse("deny 10.0.0.0/8", out var rules, out _));
        Assert.True(rules!.IsAllowed(IPAddress.Parse("127.0.0.1")));
    }

    [Theory]
    [InlineData("permit 1.2.3.4")]
    [InlineData("allow 1.2.3")]
    [InlineData("allow")]
    public void Bad_rules_are_rejected(string text) => Assert.False(AccessRules.TryParse(text, out _, out _));
}
