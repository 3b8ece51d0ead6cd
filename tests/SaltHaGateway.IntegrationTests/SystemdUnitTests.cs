using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>docker/salt-ha-gateway.service as systemd reads it: valid, and hardened to an exposure of at most 3.0.</summary>
public sealed partial class SystemdUnitTests
{
    internal static readonly string? Analyze = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);

    /// <summary>A test that needs systemd-analyze: skipped where it is not installed.</summary>
    private sealed class AnalyzeFactAttribute : FactAttribute
    {
        public AnalyzeFactAttribute()
        {
            if (Analyze is null) Skip = "systemd-analyze is not installed";
        }
    }

    /// <summary>A copy of the unit whose ExecStart names a file that exists here (verify checks it does).</summary>
    private static string UnitCopy(out string dir)
    {
        dir = Directory.CreateTempSubdirectory("shg-unit-").FullName;
        var text = File.ReadAllText(RepositoryFiles.Path("docker/salt-ha-gateway.service"))
            .Replace("ExecStart=/opt/salt-ha-gateway/salt-ha-gateway ", $"ExecStart={GatewayProcess.Executable} ", StringComparison.Ordinal);
        var unit = Path.Combine(dir, "salt-ha-gateway.service");
        File.WriteAllText(unit, text);
        return unit;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string dir, params string[] args)
    {
        var info = new ProcessStartInfo(Analyze!) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = dir };
        foreach (var a in args) info.ArgumentList.Add(a);
        info.Environment["SYSTEMD_COLORS"] = "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }

    [AnalyzeFact]
    public async Task The_unit_verifies_clean()
    {
        var unit = UnitCopy(out var dir);
        try
        {
            var (code, output) = await RunAsync(dir, "verify", unit);
            Assert.True(code == 0 && output.Trim().Length == 0, $"systemd-analyze verify exited {code}:\n{output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [AnalyzeFact]
    public async Task The_unit_is_hardened_to_an_exposure_of_at_most_3()
    {
        var unit = UnitCopy(out var dir);
        try
        {
            var (code, output) = await RunAsync(dir, "security", "--offline=yes", "--no-pager", unit);
            Assert.True(code == 0, $"systemd-analyze security exited {code}:\n{output}");
            var match = ExposureLevel().Match(output);
            Assert.True(match.Success, output);
            var exposure = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.True(exposure <= 3.0, $"exposure {exposure}:\n{output}");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void The_unit_keeps_the_jit_working_and_proc_visible()
    {
        var text = File.ReadAllText(RepositoryFiles.Path("docker/salt-ha-gateway.service"));
        var settings = text.Split('\n').Where(l => !l.StartsWith('#')).ToList();
        Assert.DoesNotContain(settings, l => l.StartsWith("MemoryDenyWriteExecute=", StringComparison.Ordinal));
        Assert.DoesNotContain(settings, l => l.StartsWith("ProtectProc=", StringComparison.Ordinal));
        Assert.Contains("Type=notify", settings);
    }

    /// <summary>The system calls of a group, with the groups it includes expanded.</summary>
    private static async Task<HashSet<string>> SyscallGroupAsync(string group)
    {
        var (code, output) = await RunAsync(Path.GetTempPath(), "syscall-filter", "--no-pager", group);
        Assert.True(code == 0, output);
        var calls = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in output.Split('\n').Skip(1).Select(l => l.Trim()))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            if (line[0] == '@') calls.UnionWith(await SyscallGroupAsync(line));
            else calls.Add(line);
        }
        return calls;
    }

    /// <summary>
    /// SystemCallFilter=@system-service: the gateway, traced through a start (first health round, listeners,
    /// warm-up), proxied requests, a scrape, a reload and a SIGTERM, makes no system call outside the group (the
    /// filter would answer EPERM).
    /// </summary>
    [AnalyzeFact]
    public async Task The_gateway_makes_no_system_call_outside_the_unit_s_filter()
    {
        var allowed = await SyscallGroupAsync("@system-service");
        Assert.Contains("fchown", allowed);
        var dir = Directory.CreateTempSubdirectory("shg-strace-").FullName;
        try
        {
            var trace = Path.Combine(dir, "trace");
            await using var a = await NginxUpstream.StartAsync("A");
            await using (var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]).ToJsonString(),
                TestPorts.Free(), TestPorts.Free(), "run", [], ["strace", "-f", "-qq", "-o", trace]))
            {
                using var http = new HttpClient();
                for (var i = 0; i < 3; i++) Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());
                await gateway.MetricsAsync();
                var config = GatewayProcess.Config(gateway.Port, gateway.AdminPort, [a.Address]);
                config["ReverseProxy"]!["Clusters"]!["act2"]!["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["Balance"] = "least_conn" };
                await gateway.WriteConfigAsync(config.ToJsonString());
                await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_reload_total{result=\"success\"}"), n => n >= 2, what: "a reload");
                // strace is the parent: the gateway is its child.
                var child = File.ReadAllText($"/proc/{gateway.Id}/task/{gateway.Id}/children").Trim();
                using (var kill = Process.Start("kill", ["-TERM", child])) await kill.WaitForExitAsync();
                await Eventually.GetAsync(() => Task.FromResult(gateway.HasExited), e => e, TimeSpan.FromSeconds(30), "exit after SIGTERM");
            }
            var used = File.ReadLines(trace).Select(l => SyscallName().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToHashSet();
            Assert.Contains("epoll_wait", used);
            var outside = used.Where(c => !allowed.Contains(c)).Order().ToList();
            Assert.True(outside.Count == 0, "outside @system-service: " + string.Join(", ", outside));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [GeneratedRegex(@"^\d+\s+([a-z_0-9]+)\(")]
    private static partial Regex SyscallName();

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+(?:\.\d+)?)")]
    private static partial Regex ExposureLevel();
}
