using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class NginxConfigParserTests
{
    private const string Upstream = "upstream u%N% { server 10.0.0.%N%:80; }\n";

    private static string U(int n) => Upstream.Replace("%N%", n.ToString());

    private static List<string> ClusterIds(NginxImportResult result) =>
        TempNginxConfig.Root(result).GetProperty("ReverseProxy").GetProperty("Clusters").EnumerateObject().Select(c => c.Name).ToList();

    [Fact]
    public void GlobIncludeIsSortedAndSkipsDotFilesAndOtherExtensions()
    {
        using var config = new TempNginxConfig();
        config.Write("conf.d/b.conf", U(2));
        config.Write("conf.d/a.conf", U(1));
        config.Write("conf.d/c.conf.disabled", U(3));
        config.Write("conf.d/.hidden.conf", U(4));
        var main = config.Write("nginx.conf", "include conf.d/*.conf;\n");

        Assert.Equal(["u1", "u2"], ClusterIds(NginxConfigImporter.Import(main)));
    }

    [Fact]
    public void GlobMatchingNothingIsFine()
    {
        using var config = new TempNginxConfig();
        var main = config.Write("nginx.conf", "include sites-enabled/*;\n" + U(1));
        Assert.Equal(["u1"], ClusterIds(NginxConfigImporter.Import(main)));
    }

    [Fact]
    public void WildcardsInDirectorySegmentsAndCharacterClasses()
    {
        using var config = new TempNginxConfig();
        config.Write("sites/one/x.conf", U(1));
        config.Write("sites/two/x.conf", U(2));
        config.Write("sites/two/y.conf", U(3));
        var main = config.Write("nginx.conf", "include sites/*/[xz].conf;\n");
        Assert.Equal(["u1", "u2"], ClusterIds(NginxConfigImporter.Import(main)));
    }

    [Fact]
    public void NestedRelativeIncludesResolveAgainstTheMainFilesDirectory()
    {
        // As nginx -c: "snippets/up.conf" written in conf.d/site.conf means <prefix>/snippets/up.conf.
        using var config = new TempNginxConfig();
        config.Write("snippets/up.conf", U(1));
        config.Write("conf.d/snippets/up.conf", U(9));
        config.Write("conf.d/site.conf", "include snippets/up.conf;\n");
        var main = config.Write("nginx.conf", "include conf.d/site.conf;\n");

        var result = NginxConfigImporter.Import(main);
        Assert.Equal(["u1"], ClusterIds(result));
        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void FallsBackToTheIncludingFilesDirectoryWithAWarning()
    {
        using var config = new TempNginxConfig();
        config.Write("conf.d/up.conf", U(1));
        var site = config.Write("conf.d/site.conf", "include up.conf;\n");
        var main = config.Write("nginx.conf", "include conf.d/site.conf;\n");

        var result = NginxConfigImporter.Import(main);
        Assert.Equal(["u1"], ClusterIds(result));
        var warning = Assert.Single(result.Diagnostics);
        Assert.False(warning.IsError);
        Assert.Equal(site, warning.File);
        Assert.Equal(1, warning.Line);
    }

    [Fact]
    public void ExplicitConfPrefixIsUsed()
    {
        using var config = new TempNginxConfig();
        config.Write("etc/snippets/up.conf", U(1));
        var site = config.Write("etc/conf.d/site.conf", "include snippets/up.conf;\n");
        var result = NginxConfigImporter.Import(site, Path.Combine(config.Dir, "etc"));
        Assert.Equal(["u1"], ClusterIds(result));
    }

    [Fact]
    public void AbsoluteIncludeAndDirectivesFromIncludesKeepTheirOwnFileAndLine()
    {
        using var config = new TempNginxConfig();
        var included = config.Write("other/extra.conf", "\n\nbogus_directive 1;\n");
        var main = config.Write("nginx.conf", $"include {included};\n" + U(1));
        var result = NginxConfigImporter.Import(main);
        var warning = Assert.Single(result.Diagnostics);
        Assert.Equal(included, warning.File);
        Assert.Equal(3, warning.Line);
        Assert.Equal("bogus_directive", warning.Directive);
    }

    [Fact]
    public void MissingIncludeIsAnErrorAtTheIncludeLine()
    {
        var (result, path) = TempNginxConfig.ImportText("\ninclude nope.conf;\n");
        TempNginxConfig.SingleError(result, path, 2, "nope.conf\" failed");
    }

    [Fact]
    public void IncludeCycleIsAnError()
    {
        using var config = new TempNginxConfig();
        config.Write("a.conf", "include b.conf;\n");
        var b = config.Write("b.conf", "include a.conf;\n");
        var main = config.Write("nginx.conf", "include a.conf;\n");
        var result = NginxConfigImporter.Import(main);
        TempNginxConfig.SingleError(result, b, 1, "include cycle");
    }

    [Fact]
    public void IncludeInsideABlockJoinsThatBlock()
    {
        using var config = new TempNginxConfig();
        config.Write("servers.inc", "server 10.0.0.1:80;\nserver 10.0.0.2:80 backup;\n");
        var main = config.Write("nginx.conf", "upstream u { include servers.inc; }\n");
        var cluster = TempNginxConfig.Root(NginxConfigImporter.Import(main)).GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("u");
        Assert.Equal(2, cluster.GetProperty("Destinations").EnumerateObject().Count());
    }

    [Fact]
    public void IncludedFileCannotCloseTheOuterBlock()
    {
        using var config = new TempNginxConfig();
        var inc = config.Write("bad.inc", "server 10.0.0.1:80;\n}\n");
        var main = config.Write("nginx.conf", "upstream u {\ninclude bad.inc;\n");
        TempNginxConfig.SingleError(NginxConfigImporter.Import(main), inc, 2, "unexpected \"}\"");
    }

    [Theory]
    [InlineData("upstream u {\n  server 10.0.0.1:80;\n", 3, "unexpected end of file, expecting \"}\"")]
    [InlineData("upstream u {\n  server 10.0.0.1:80;\n}\n}\n", 4, "unexpected \"}\"")]
    [InlineData("upstream u {\n  server 10.0.0.1:80\n}\n", 3, "unexpected \"}\"")]
    [InlineData("upstream u {\n  server 10.0.0.1:80;\n}\nkeepalive_timeout 5", 4, "unexpected end of file, expecting \";\" or \"}\"")]
    [InlineData("upstream u {\n ;\n}\n", 2, "unexpected \";\"")]
    [InlineData("\n{\n}\n", 2, "unexpected \"{\"")]
    public void SyntaxErrorsNameFileAndLine(string text, int line, string message)
    {
        var (result, path) = TempNginxConfig.ImportText(text);
        TempNginxConfig.SingleError(result, path, line, message);
        Assert.Equal("", result.Json);
    }

    [Fact]
    public void MissingSemicolonBeforeABlockIsReportedOnTheDirective()
    {
        var (result, path) = TempNginxConfig.ImportText("upstream u { server 10.0.0.1:80; }\nserver {\n  listen 80\n  location / { proxy_pass http://u; }\n}\n");
        TempNginxConfig.SingleError(result, path, 3, "directive \"listen\" is not terminated by \";\"");
    }

    [Fact]
    public void MissingSemicolonBetweenServerLinesIsAnInvalidParameter()
    {
        var (result, path) = TempNginxConfig.ImportText("upstream u {\n  server 10.0.0.1:80\n  server 10.0.0.2:80;\n}\n");
        TempNginxConfig.SingleError(result, path, 2, "invalid parameter \"server\"");
    }
}
