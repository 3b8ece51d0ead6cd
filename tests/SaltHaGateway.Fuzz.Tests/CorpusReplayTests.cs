using System.Diagnostics;

namespace SaltHaGateway.Fuzz.Tests;

/// <summary>
/// Replays every seed and every finding of bench/fuzz through the fuzz targets, uninstrumented and in-process:
/// no input may throw anything but what its parser documents for bad input, nor take longer than the bound.
/// A finding stays fixed once its input is in bench/fuzz/crashes/TARGET/.
/// </summary>
public sealed class CorpusReplayTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static readonly string FuzzDir = FindFuzzDir();

    public static TheoryData<string, string> Inputs()
    {
        var data = new TheoryData<string, string>();
        foreach (var kind in new[] { "corpus", "crashes" })
        {
            foreach (var target in FuzzTargets.All.Keys)
            {
                var dir = Path.Combine(FuzzDir, kind, target);
                if (!Directory.Exists(dir)) continue;
                foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                {
                    data.Add(target, Path.GetRelativePath(FuzzDir, file));
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Input_is_handled_as_its_parser_documents(string target, string file)
    {
        var input = File.ReadAllBytes(Path.Combine(FuzzDir, file));
        Exception? escaped = null;
        var stopwatch = Stopwatch.StartNew();
        // A thread of its own, so that a hang fails this test after the bound instead of stalling the run.
        var thread = new Thread(() =>
        {
            try
            {
                FuzzTargets.All[target](input);
            }
            catch (Exception e)
            {
                escaped = e;
            }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Bound), $"{file}: still running after {Bound.TotalSeconds} s");
        Assert.True(escaped is null, $"{file}: {escaped}");
        Assert.True(stopwatch.Elapsed < Bound, $"{file}: took {stopwatch.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public void Every_target_has_seeds()
    {
        foreach (var target in FuzzTargets.All.Keys)
        {
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(FuzzDir, "corpus", target)));
        }
    }

    private static string FindFuzzDir()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var fuzz = Path.Combine(dir.FullName, "bench", "fuzz");
            if (Directory.Exists(Path.Combine(fuzz, "corpus"))) return fuzz;
        }
        throw new DirectoryNotFoundException("bench/fuzz/corpus not found above " + AppContext.BaseDirectory);
    }
}
