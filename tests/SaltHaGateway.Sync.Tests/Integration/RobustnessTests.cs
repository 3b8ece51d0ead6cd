using Prometheus;
using SaltHaGateway.Sync.Tests.Infrastructure;

namespace SaltHaGateway.Sync.Tests.Integration;

[Collection("integration")]
public sealed class RobustnessTests
{
    [Fact]
    public async Task A_burst_far_over_the_inotify_queue_still_converges_after_the_overflow_rescan()
    {
        await using var c = new Cluster(2);
        using var gate = new ManualResetEventSlim(true);
        c.A.WatcherGate = gate;
        await c.StartAsync();
        var (a, b) = (c.A, c.B);

        // Stop reading inotify so the kernel queue (max_queued_events) really overflows.
        var queue = int.Parse(File.ReadAllText("/proc/sys/fs/inotify/max_queued_events").Trim());
        Directory.CreateDirectory(a.P("/srv/salt/burst"));
        await Wait.UntilAsync(() => Directory.Exists(b.P("/srv/salt/burst")), "burst directory watched and replicated");
        gate.Reset();
        await Task.Delay(300);
        int files = queue / 2 + 500; // each file: IN_CREATE + IN_CLOSE_WRITE
        for (int i = 0; i < files; i++) File.WriteAllText(a.P($"/srv/salt/burst/f{i:D5}"), $"{i}\n");
        gate.Set();

        await Wait.UntilAsync(() => Directory.Exists(b.P("/srv/salt/burst")) && Directory.EnumerateFiles(b.P("/srv/salt/burst")).Count() == files,
            $"all {files} files on b", seconds: 180);
        Assert.Equal($"{files - 1}\n", File.ReadAllText(b.P($"/srv/salt/burst/f{files - 1:D5}")));
        var overflows = await Scrape(a.Registry, "saltha_sync_watcher_overflows_total");
        Assert.True(overflows >= 1, $"expected an inotify overflow, metric says {overflows}; log: " +
            string.Join(" | ", PrefixLoggerProvider.Lines.Where(l => l.Contains("overflow", StringComparison.OrdinalIgnoreCase)).Take(5)));
    }

    [Fact]
    public async Task A_root_that_vanishes_or_empties_pauses_instead_of_deleting_on_peers()
    {
        await using var c = new Cluster(2);
        var (a, b) = (c.A, c.B);
        for (int i = 0; i < 3; i++) File.WriteAllText(a.P($"/srv/salt/f{i}.sls"), "x\n");
        await c.StartAsync();
        await Wait.UntilAsync(() => File.Exists(b.P("/srv/salt/f2.sls")), "initial sync");

        // An unmounted disk looks like an empty directory appearing in place of the tree.
        Directory.Move(a.P("/srv/salt"), a.P("/srv/salt.away"));
        Directory.CreateDirectory(a.P("/srv/salt"));
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.Single(r => r.Root == "/srv/salt").State == "paused", "root paused on a");
        Assert.False(a.Engine.IsHealthy);
        Assert.True(File.Exists(b.P("/srv/salt/f0.sls")));

        // The root vanishing altogether also pauses it.
        Directory.Delete(a.P("/srv/salt"));
        await Wait.UntilAsync(() => a.Engine.GetStatus().Roots.Single(r => r.Root == "/srv/salt").PauseReason?.Contains("missing") == true, "missing root paused");
        File.WriteAllText(b.P("/srv/salt/while-paused.sls"), "b\n");

        // The disk comes back: the root resumes, nothing was deleted anywhere, and what the peer
        // changed meanwhile arrives.
        Directory.Move(a.P("/srv/salt.away"), a.P("/srv/salt"));
        await Wait.UntilAsync(() => File.Exists(a.P("/srv/salt/while-paused.sls")), "resumed and caught up", seconds: 40);
        Assert.True(a.Engine.IsHealthy);
        for (int i = 0; i < 3; i++)
        {
            Assert.True(File.Exists(a.P($"/srv/salt/f{i}.sls")));
            Assert.True(File.Exists(b.P($"/srv/salt/f{i}.sls")));
        }
    }

    internal static async Task<double> Scrape(CollectorRegistry registry, string name)
    {
        using var ms = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(ms);
        var text = System.Text.Encoding.UTF8.GetString(ms.ToArray());
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{", StringComparison.Ordinal));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
