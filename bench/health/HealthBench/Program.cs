using System.Diagnostics;
using System.Globalization;
using System.Threading.Channels;
using SaltHaGateway.Health;

namespace HealthBench;

/// <summary>
/// Prober-level benchmark with the act2 parameters: two loopback upstreams under steady load; one is
/// killed (its port then refuses) and later restarted. Measures, on the monitor itself, the time to mark
/// it down and up, failed client GETs through a stand-in picker, and probe traffic per server per minute.
/// "module" runs the same code with <see cref="HealthMonitorOptions.ModuleCompatible"/>, the module's
/// behaviour at the quick end of its cadence (the most favourable case for the module).
/// </summary>
internal static class Program
{
    private const string Act2Check = "interval=3000 rise=2 fall=5 timeout=1000 type=tcp";
    private const string Upstream = "act2";

    private static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "gateway")
            return await Gateway.GatewayScenario.RunAsync(args[1], Int(args, 2, 5), Int(args, 3, 60), Int(args, 4, 5));
        var runs = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        var steadySeconds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 60;
        var rps = 50;
        var random = new Random(20261126);

        var scenarios = new (string Name, Func<HealthMonitorOptions> Options, bool Load)[]
        {
            ("module", HealthMonitorOptions.ModuleCompatible, true),
            ("gateway", () => new HealthMonitorOptions(), true),
            ("gateway-noload", () => new HealthMonitorOptions(), false),
        };

        Console.WriteLine($"# health bench: check \"{Act2Check}\", 2 loopback upstreams, {rps} GET/s, {runs} runs per scenario");
        var summary = new List<string>();
        foreach (var (name, options, load) in scenarios)
        {
            var results = new List<RunResult>();
            for (var i = 0; i < runs; i++)
            {
                var r = await KillAndRestartAsync(options(), load ? rps : 0, random);
                results.Add(r);
                Console.WriteLine($"{name} run {i + 1}: startup {r.StartupSeconds:0.00}s down {r.DownSeconds:0.00}s up {r.UpSeconds:0.00}s " +
                                  $"GETs {r.Requests} failed {r.Failed} connect-errors {r.ConnectErrors}");
            }
            var perMinute = await SteadyProbesPerMinuteAsync(options(), steadySeconds);
            Console.WriteLine($"{name} steady: {perMinute:0.0} probes/server/min");
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(results, r => r.StartupSeconds):0.00} | {Median(results, r => r.DownSeconds):0.00} ({results.Min(r => r.DownSeconds):0.0}–{results.Max(r => r.DownSeconds):0.0}) | " +
                $"{Median(results, r => r.UpSeconds):0.00} ({results.Min(r => r.UpSeconds):0.0}–{results.Max(r => r.UpSeconds):0.0}) | " +
                $"{results.Sum(r => r.Failed)} / {results.Sum(r => r.Requests)} | {results.Sum(r => r.ConnectErrors)} | {perMinute:0.0} |"));
        }

        Console.WriteLine();
        Console.WriteLine("| scenario | startup to first up (s, median) | kill → marked down (s, median (min–max)) | restart → marked up (s) | failed GETs / total | connect errors retried | probes/server/min |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var line in summary) Console.WriteLine(line);
        return 0;
    }

    internal sealed record RunResult(double StartupSeconds, double DownSeconds, double UpSeconds, long Requests, long Failed, long ConnectErrors);

    internal static async Task<RunResult> KillAndRestartAsync(HealthMonitorOptions options, int rps, Random random)
    {
        await using var a = new Upstream();
        await using var b = new Upstream();
        await using var monitor = new UpstreamHealthMonitor(TimeProvider.System, null, new CountingProber(), null, options);
        var changes = Channel.CreateUnbounded<ServerHealthChanged>();
        monitor.Changed += c => changes.Writer.TryWrite(c);
        var nameA = $"127.0.0.1:{a.Port}";

        var clock = Stopwatch.StartNew();
        monitor.Apply([Target(a), Target(b)]);
        await monitor.RunFirstRoundAsync(CancellationToken.None);
        while (!(monitor.IsUp(Upstream, nameA) && monitor.IsUp(Upstream, $"127.0.0.1:{b.Port}"))) await Task.Delay(10);
        var startup = clock.Elapsed.TotalSeconds;
        while (changes.Reader.TryRead(out _)) { }

        var client = new StandInClient(monitor, Upstream, [a, b]);
        using var stopLoad = new CancellationTokenSource();
        var load = rps > 0 ? client.RunAsync(rps, stopLoad.Token) : Task.CompletedTask;

        // Land the kill at a random phase of the 3 s check cycle.
        await Task.Delay(TimeSpan.FromMilliseconds(2000 + random.Next(3000)));
        var killedAt = DateTimeOffset.UtcNow;
        a.Kill();
        var down = await NextChangeAsync(changes.Reader, nameA, up: false, TimeSpan.FromSeconds(60));
        var downSeconds = (down.At - killedAt).TotalSeconds;

        await Task.Delay(TimeSpan.FromMilliseconds(2000 + random.Next(3000)));
        var restartedAt = DateTimeOffset.UtcNow;
        a.Restart();
        var up = await NextChangeAsync(changes.Reader, nameA, up: true, TimeSpan.FromSeconds(60));
        var upSeconds = (up.At - restartedAt).TotalSeconds;

        await Task.Delay(1000);
        stopLoad.Cancel();
        await load;
        return new RunResult(startup, downSeconds, upSeconds, client.Requests, client.Failed, client.ConnectErrors);
    }

    internal static async Task<double> SteadyProbesPerMinuteAsync(HealthMonitorOptions options, int seconds)
    {
        await using var a = new Upstream();
        await using var b = new Upstream();
        var prober = new CountingProber();
        await using var monitor = new UpstreamHealthMonitor(TimeProvider.System, null, prober, null, options);
        monitor.Apply([Target(a), Target(b)]);
        await monitor.RunFirstRoundAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(6)); // past the rise streak (module mode) into the steady state
        var before = prober.PerPort.Values.Sum();
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var probes = prober.PerPort.Values.Sum() - before;
        return probes / 2.0 / (seconds / 60.0);
    }

    private static async Task<ServerHealthChanged> NextChangeAsync(ChannelReader<ServerHealthChanged> reader, string server, bool up, TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        while (true)
        {
            var change = await reader.ReadAsync(cts.Token);
            if (change.Server == server && change.IsUp == up) return change;
        }
    }

    private static CheckTarget Target(Upstream server)
    {
        if (!CheckSpec.TryParse(Act2Check, null, null, null, out var spec, out var errors))
            throw new InvalidOperationException(string.Join("; ", errors));
        return new CheckTarget(Upstream, $"127.0.0.1:{server.Port}", "127.0.0.1", server.Port, null, spec!);
    }

    private static int Int(string[] args, int index, int fallback) =>
        args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;

    private static double Median(List<RunResult> results, Func<RunResult, double> pick)
    {
        var values = results.Select(pick).Order().ToArray();
        return values.Length % 2 == 1 ? values[values.Length / 2] : (values[values.Length / 2 - 1] + values[values.Length / 2]) / 2;
    }
}
