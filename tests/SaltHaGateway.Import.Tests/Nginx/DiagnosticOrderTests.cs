namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class DiagnosticOrderTests
{
    [Fact]
    public void DiagnosticsAreInLineOrder()
    {
        // Upstreams are translated before servers, but the report follows the file.
        var (result, _) = TempNginxConfig.ImportText("server {\n sendfile on;\n location / { proxy_pass http://u; }\n}\nupstream u {\n server 10.0.0.1:80;\n zone u 64k;\n}\n");
        Assert.Equal([2, 7], result.Diagnostics.Select(d => d.Line));
    }
}
