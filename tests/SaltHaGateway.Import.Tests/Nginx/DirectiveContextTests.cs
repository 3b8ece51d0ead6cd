namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class DirectiveContextTests
{
    [Theory]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nupstream v { server 10.0.0.2:80; }\n}\n", 3, "\"upstream\" directive is not allowed here")]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nproxy_pass http://u;\n}\n", 3, "\"proxy_pass\" directive is not allowed here")]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nlocation / {\nlisten 80;\n}\n}\n", 4, "\"listen\" directive is not allowed here")]
    [InlineData("upstream u {\nserver 10.0.0.1:80;\nlocation / { }\n}\n", 3, "\"location\" directive is not allowed here")]
    [InlineData("location / { }\n", 1, "\"location\" directive is not allowed here")]
    [InlineData("upstream u {\nserver 10.0.0.1:80;\n}\nserver {\nlocation / {\nproxy_pass http://u;\n}\n}\nhttp {\n}\n", 1, "\"upstream\" directive is not allowed here")]
    public void StructuralDirectivesOutOfPlaceAreRejected(string text, int line, string message)
    {
        var (result, path) = TempNginxConfig.ImportText(text);
        Assert.False(result.Succeeded);
        Assert.Contains(result.Diagnostics, d => d.IsError && d.File == path && d.Line == line && d.Message.Contains(message));
    }

    [Fact]
    public void UnknownBlocksAreReportedOnce()
    {
        var (result, path) = TempNginxConfig.ImportText("map $http_upgrade $connection_upgrade {\n default upgrade;\n '' close;\n}\nupstream u { server 10.0.0.1:80; }\n");
        Assert.True(result.Succeeded);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(("map", 1, path), (warning.Directive, warning.Line, warning.File));
        Assert.Contains("block with 2 directive(s)", warning.Message);
    }

    [Theory]
    [InlineData("check interval=3000;\nupstream u { server 10.0.0.1:80; }\n", 1, "check")]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nip_hash;\n}\n", 3, "ip_hash")]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nlocation / {\nproxy_pass http://u;\ncheck_http_send \"x\";\n}\n}\n", 5, "check_http_send")]
    [InlineData("upstream u { server 10.0.0.1:80; }\nserver {\nserver 10.0.0.2:80;\n}\n", 3, "server")]
    public void UpstreamDirectivesElsewhereAreRejected(string text, int line, string directive)
    {
        var (result, path) = TempNginxConfig.ImportText(text);
        TempNginxConfig.SingleError(result, path, line, $"\"{directive}\" directive is not allowed here");
    }
}
