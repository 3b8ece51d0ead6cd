namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class NginxFragmentImportTests
{
    [Fact]
    public void UpstreamOnlyFileLeavesListenersToTheGateway()
    {
        var (result, _) = TempNginxConfig.ImportText("upstream act2 { server 10.0.0.1:80; }\n");
        var root = TempNginxConfig.Root(result);
        Assert.False(root.GetProperty("Gateway").TryGetProperty("Listen", out _));
        Assert.Empty(root.GetProperty("ReverseProxy").GetProperty("Routes").EnumerateObject());
        Assert.Equal("round_robin", root.GetProperty("ReverseProxy").GetProperty("Clusters").GetProperty("act2").GetProperty("Metadata").GetProperty("Balance").GetString());
    }
}
