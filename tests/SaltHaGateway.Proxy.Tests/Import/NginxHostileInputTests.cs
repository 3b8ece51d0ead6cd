namespace SaltHaGateway.Proxy.Tests.Import;

public sealed class NginxHostileInputTests
{
    [Fact]
    public void DeeplyNestedBlocksAreAnErrorNotACrash()
    {
        var (result, path) = TempNginxConfig.ImportText(string.Concat(Enumerable.Repeat("a {\n", 100_000)));
        TempNginxConfig.SingleError(result, path, 65, "nested deeper");
    }

    [Theory]
    [InlineData("include conf.d/[z-a].conf;\n")]
    [InlineData("include \"a\0b\";\n")]
    [InlineData("include conf.d/[;\n")]
    public void StrangeIncludePatternsNeverThrow(string text)
    {
        var (result, _) = TempNginxConfig.ImportText(text);
        Assert.All(result.Diagnostics, d => Assert.True(d.Line >= 0));
    }

    [Theory]
    [InlineData("\\")]
    [InlineData("a \\")]
    [InlineData("\"")]
    [InlineData("'abc\\'")]
    [InlineData("}")]
    [InlineData("{")]
    [InlineData(";")]
    [InlineData("${")]
    [InlineData("a ${b}")]
    [InlineData("#")]
    public void FragmentsOfSyntaxGiveDiagnostics(string text)
    {
        var (result, _) = TempNginxConfig.ImportText(text);
        Assert.False(result.Succeeded && result.Json.Length == 0);
    }
}
