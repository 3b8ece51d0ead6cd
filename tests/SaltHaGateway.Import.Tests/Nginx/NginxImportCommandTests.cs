using System.Text.Json;
using SaltHaGateway.Import.Nginx;

namespace SaltHaGateway.Import.Tests.Nginx;

public sealed class NginxImportCommandTests
{
    private const string Good = "upstream act2 { server 192.168.1.19:6868; }\nserver { listen 80; location / { proxy_pass http://act2; } }\nsendfile on;\n";

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = NginxImportCommand.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void WritesJsonToStdoutAndWarningsToStderr()
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", Good);
        var (code, stdout, stderr) = Run(path);
        Assert.Equal(0, code);
        Assert.Equal("act2", JsonDocument.Parse(stdout).RootElement.GetProperty("ReverseProxy").GetProperty("Routes").GetProperty("act2").GetProperty("ClusterId").GetString());
        Assert.Contains($"{path}:3: warning: \"sendfile\"", stderr);
    }

    [Fact]
    public void WritesTheOutputFile()
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", Good);
        var output = Path.Combine(config.Dir, "gateway.json");
        var (code, stdout, _) = Run(path, "-o", output);
        Assert.Equal(0, code);
        Assert.Equal("", stdout);
        Assert.Equal(NginxConfigImporter.Import(path).Json, File.ReadAllText(output));
        Assert.Single(Directory.GetFiles(config.Dir, "gateway.json*"));
    }

    [Fact]
    public void ErrorsWriteNothingAndFail()
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", "upstream act2 {\n server 10.0.0.1:80 weight=0;\n}\n");
        var output = Path.Combine(config.Dir, "gateway.json");
        var (code, stdout, stderr) = Run(path, "-o", output);
        Assert.Equal(1, code);
        Assert.Equal("", stdout);
        Assert.False(File.Exists(output));
        Assert.Contains($"{path}:2: error: \"server\": invalid parameter \"weight=0\"", stderr);
    }

    [Theory]
    [InlineData]
    [InlineData("a.conf", "b.conf")]
    [InlineData("--bogus")]
    [InlineData("a.conf", "-o")]
    public void BadUsageExitsWithTwo(params string[] args) => Assert.Equal(2, Run(args).Code);

    [Fact]
    public void UnwritableOutputFails()
    {
        using var config = new TempNginxConfig();
        var path = config.Write("nginx.conf", Good);
        var (code, _, stderr) = Run(path, "-o", Path.Combine(config.Dir, "missing-dir", "gateway.json"));
        Assert.Equal(1, code);
        Assert.Contains("cannot write", stderr);
    }
}
