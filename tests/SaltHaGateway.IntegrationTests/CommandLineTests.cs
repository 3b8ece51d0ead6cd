using System.Net;
using System.Net.Sockets;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

public sealed class CommandLineTests
{
    private static async Task<string> WriteAsync(string text)
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("shg-cli-").FullName, "gateway.json");
        await File.WriteAllTextAsync(file, text);
        return file;
    }

    [Fact]
    public async Task Check_config_says_ok_for_the_shipped_default_config()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "config", "gateway.json");
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", file);
        Assert.True(code == 0, stderr);
        Assert.Contains("test is successful", stdout);
    }

    [Fact]
    public async Task Check_config_lists_every_problem_and_exits_1()
    {
        var file = await WriteAsync("""
            { "ReverseProxy": {
                "Routes": { "r": { "ClusterId": "nope", "Match": { "Path": "/" } } },
                "Clusters": { "c": { "Destinations": { "d": { "Address": "http://127.0.0.1:1", "Metadata": { "Weight": "-1" } } } } } },
              "Gateway": { "Listen": [ "https://*:443" ] } }
            """);
        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("check-config", "--config", file);
        Assert.Equal(1, code);
        Assert.Contains("ReverseProxy.Routes.r.ClusterId: unknown cluster \"nope\"", stderr);
        Assert.Contains("ReverseProxy.Clusters.c.Destinations.d.Metadata.Weight: invalid weight", stderr);
        Assert.Contains("Gateway:Tls: missing: an https:// listener in Gateway:Listen needs Certificate and CertificateKey", stderr);
        Assert.Contains("test failed (3 problem(s))", stderr);
    }

    [Fact]
    public async Task Run_with_an_invalid_config_exits_1_without_a_stack_trace()
    {
        var file = await WriteAsync("{ \"ReverseProxy\": { \"Routes\": { \"r\": { \"ClusterId\": \"x\" ");
        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("run", "--config", file);
        Assert.Equal(1, code);
        Assert.Contains("malformed JSON", stderr);
        Assert.DoesNotContain("   at ", stderr);
    }

    [Fact]
    public async Task Command_line_overrides_change_the_listeners()
    {
        var port = TestPorts.Free();
        var admin = TestPorts.Free();
        // The file names other ports; the overrides win, as .NET's command-line configuration does.
        await using var gateway = await GatewayProcess.StartAsync(
            (_, _) => GatewayProcess.Config(TestPorts.Free(), TestPorts.Free(), ["http://127.0.0.1:9"]).ToJsonString(), port, admin, "run",
            $"--Gateway:Admin:Listen=http://127.0.0.1:{admin}", $"--Gateway:Listen:0=http://127.0.0.1:{port}");
        using var http = new HttpClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"http://127.0.0.1:{admin}/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.BadGateway, (await http.GetAsync($"http://127.0.0.1:{port}/")).StatusCode);
    }

    [Fact]
    public async Task A_port_in_use_is_explained()
    {
        using var holder = new TcpListener(IPAddress.Loopback, 0);
        holder.Start();
        var busy = ((IPEndPoint)holder.LocalEndpoint).Port;
        var file = await WriteAsync(GatewayProcess.Config(busy, TestPorts.Free(), ["http://127.0.0.1:9"]).ToJsonString());
        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("run", "--config", file);
        Assert.Equal(1, code);
        Assert.Contains($"cannot listen on http://127.0.0.1:{busy}: the address is already in use", stderr);
    }

    [Fact]
    public async Task Port_80_without_privilege_says_how_to_fix_it()
    {
        // Run as nobody: binding port 80 needs root or CAP_NET_BIND_SERVICE.
        var file = await WriteAsync(GatewayProcess.Config(80, TestPorts.Free(), ["http://127.0.0.1:9"])
            .ToJsonString().Replace("http://127.0.0.1:80", "http://127.0.0.1:80"));
        File.SetUnixFileMode(Path.GetDirectoryName(file)!, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(file, (UnixFileMode)0b110_100_100);
        var info = new System.Diagnostics.ProcessStartInfo("setpriv")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        foreach (var a in new[] { "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-net_bind_service",
                     "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", GatewayProcess.Executable, "run", "--config", file })
            info.ArgumentList.Add(a);
        using var process = System.Diagnostics.Process.Start(info)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(1, process.ExitCode);
        Assert.Contains("permission denied", stderr);
        Assert.Contains("CAP_NET_BIND_SERVICE", stderr);
    }
}
