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

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+(?:\.\d+)?)")]
    private static partial Regex ExposureLevel();
}
