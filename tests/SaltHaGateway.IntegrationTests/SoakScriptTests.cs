using System.Diagnostics;
using System.Globalization;
using System.Text;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// bench/soak: the 30-minute soak itself runs from bench/ (figures in bench/RESULTS.md), not here. What is tested is
/// that the script parses and refuses bad arguments, and that its verdict (summarize.py) fails on what it claims to
/// catch — a growing process, a dead one, client errors outside failovers — and passes a steady run, on recorded
/// series written by the test.
/// </summary>
public sealed class SoakScriptTests : IDisposable
{
    private static readonly string Script = RepositoryFiles.Path("bench/soak/run.sh");
    private static readonly string Summarize = RepositoryFiles.Path("bench/soak/summarize.py");
    private readonly string _dir = Directory.CreateTempSubdirectory("shg-soak-test-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_script_parses()
    {
        var (code, output) = await RunAsync("bash", "-n", Script);
        Assert.True(code == 0, output);
    }

    [Fact]
    public async Task Help_names_the_options()
    {
        var (code, output) = await RunAsync("bash", Script, "--help");
        Assert.Equal(0, code);
        foreach (var option in new[] { "--minutes", "--sample", "--reload-every", "--failover-every", "--flap", "--connections", "--delay-ms", "--advert", "--no-gcdump", "--keep" })
            Assert.Contains(option, output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--minutes", "0", "--minutes must be a positive integer")]
    [InlineData("--sample", "ten", "--sample must be a positive integer")]
    [InlineData("--flap", "40-20", "--flap must be MIN-MAX seconds")]
    [InlineData("--advert", "0.01", "--advert must be seconds between 0.1 and 40")]
    [InlineData("--bogus", "1", "unknown argument --bogus")]
    public async Task Bad_arguments_are_refused_before_anything_starts(string option, string value, string reason)
    {
        var (code, output) = await RunAsync("bash", Script, option, value);
        Assert.Equal(2, code);
        Assert.Contains(reason, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_steady_run_passes()
    {
        var (code, output) = await VerdictAsync(Steady);
        Assert.True(code == 0, output);
        Assert.Contains("VERDICT: PASS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Memory_that_keeps_growing_fails()
    {
        // +1 % RSS and +2 % heap per minute on b: a slow leak, ~+25 % between the windows
        var (code, output) = await VerdictAsync(s => s with
        {
            RssKb = s.Node == "b" ? (long)(s.RssKb * (1 + 0.01 * s.Minute)) : s.RssKb,
            GcHeap = s.Node == "b" ? (long)(s.GcHeap * (1 + 0.02 * s.Minute)) : s.GcHeap,
        });
        Assert.Equal(1, code);
        Assert.Contains("b RSS grew", output, StringComparison.Ordinal);
        Assert.Contains("b GC heap after last GC grew", output, StringComparison.Ordinal);
        Assert.DoesNotContain("a RSS grew", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_descriptor_per_reload_fails()
    {
        var (code, output) = await VerdictAsync(s => s with { Fds = s.Fds + (int)(s.Minute * 6) });
        Assert.Equal(1, code);
        Assert.Contains("a open fds grew", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_gateway_fails()
    {
        var (code, output) = await VerdictAsync(s => s.Node == "a" && s.Minute > 20 ? s with { Alive = false } : s);
        Assert.Equal(1, code);
        Assert.Contains("gateway a died", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Client_errors_count_against_the_run_only_outside_failovers()
    {
        // the same 100 errors (0.02 % of the requests): in the 10 s window of a failover they are the failover's; elsewhere they fail the run
        var (code, output) = await VerdictAsync(Steady, errorsAtMinute: 9.0);
        Assert.True(code == 0, output);
        Assert.Contains("in 10 s windows overlapping a failover: 100", output, StringComparison.Ordinal);

        (code, output) = await VerdictAsync(Steady, errorsAtMinute: 15.0);
        Assert.Equal(1, code);
        Assert.Contains("100 client errors outside failover windows", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Errors_while_a_backup_took_the_VIP_uncommanded_are_reported_as_such()
    {
        // b enters master once more between the samples at minutes 15.0 and 15.2, with no failover commanded
        var (code, output) = await VerdictAsync(s => s.Node == "b" && s.Minute > 15.0 ? s with { ToMaster = 2 } : s, errorsAtMinute: 15.0);
        Assert.True(code == 0, output);
        Assert.Contains("Uncommanded VRRP takeovers: 1 (b ×1 at +15.2 min)", output, StringComparison.Ordinal);
        Assert.Contains("overlapping an uncommanded VRRP takeover: 100", output, StringComparison.Ordinal);
    }

    private sealed record Sample(string Node, double Minute, bool Alive, long RssKb, int Fds, int Threads, long GcHeap, int Timers, int Generation, int ToMaster);

    private static Sample Steady(Sample s) => s;

    /// <summary>A 30-minute recording: samples every 10 s for a and b, 10 s wrk windows at 300 requests/s, a reload
    /// every 10 s, one failover at minute 9 (VIP settled 1 s later); the series wobble as real ones do.</summary>
    private async Task<(int Code, string Output)> VerdictAsync(Func<Sample, Sample> shape, double? errorsAtMinute = null)
    {
        const double T0 = 1_800_000_000;
        var samples = new StringBuilder("time,node,pid,alive,rss_kb,fds,threads,cpu_s,gc_heap_bytes,gc_total_memory_bytes,timers,generation,reload_failures,vrrp_state,vrrp_to_master\n");
        var wrk = new StringBuilder();
        for (var i = 0; i <= 180; i++)
        {
            var minute = i / 6.0;
            var wobble = (i % 7) - 3;
            foreach (var (node, pid) in new[] { ("a", 100), ("b", 200) })
            {
                var s = shape(new Sample(node, minute, true, 200_000 + wobble * 1_500, 310 + wobble, 30 + wobble % 3,
                    10_000_000 + wobble * 300_000, 130 + wobble * 2, 1 + i, node == "a" ? 1 : minute > 9.0 ? 1 : 0));
                samples.Append(string.Create(CultureInfo.InvariantCulture,
                    $"{T0 + i * 10},{node},{pid},{(s.Alive ? 1 : 0)},{s.RssKb},{s.Fds},{s.Threads},{i * 0.2:F2},{s.GcHeap},{s.GcHeap * 2},{s.Timers},{s.Generation},0,{(node == "a" ? 2 : 1)},{s.ToMaster}\n"));
            }
            if (i < 180)
            {
                var start = T0 + i * 10;
                var errors = errorsAtMinute is { } m && Math.Abs(minute - m) < 1e-9 ? 100 : 0;
                wrk.Append(string.Create(CultureInfo.InvariantCulture, $"{start + 0.05},{start + 10},3000,{errors},0,0,0,0\n"));
            }
        }
        var events = string.Create(CultureInfo.InvariantCulture,
            $"{T0 + 0.1} start\n{T0 + 540.5} failover maintenance-on-a\n{T0 + 541.5} vip b\n{T0 + 1800} end\n");
        await File.WriteAllTextAsync(Path.Combine(_dir, "samples.csv"), samples.ToString());
        await File.WriteAllTextAsync(Path.Combine(_dir, "wrk.csv"), wrk.ToString());
        await File.WriteAllTextAsync(Path.Combine(_dir, "events.log"), events);
        return await RunAsync("python3", Summarize, "--samples", Path.Combine(_dir, "samples.csv"), "--wrk", Path.Combine(_dir, "wrk.csv"),
            "--events", Path.Combine(_dir, "events.log"), "--minutes", "30", "--reload-every", "10");
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
