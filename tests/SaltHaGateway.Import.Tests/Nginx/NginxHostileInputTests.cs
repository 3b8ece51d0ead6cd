namespace SaltHaGateway.Import.Tests.Nginx;

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
    [InlineData("ssl_certificate \"salt\0.crt\";")]
    [InlineData("ssl_certificate_key salt.k\0ey;")]
    public void A_nul_in_a_certificate_path_is_an_error_not_an_exception(string directive)
    {
        var (result, path) = TempNginxConfig.ImportText($"server {{\nlisten 443 ssl;\n{directive}\n}}\n");
        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.File == path && d.Line == 3 && d.Message.Contains("invalid file name"));
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
