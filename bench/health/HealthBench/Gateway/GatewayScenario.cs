using System.Globalization;
using SaltHaGateway.Health;

namespace HealthBench.Gateway;

/// <summary>
/// Through-the-gateway benchmark: two real nginx upstreams, the real salt-ha-gateway process in front, 50 GET/s
/// through its listener. One upstream is SIGKILLed and restarted on the same port, each at a random phase of
/// the 3 s check cycle; then a steady window under the same load counts probe connections at the upstreams.
/// The module cannot run here, so the same invocation also runs the prober-level emulated-module scenario.
/// </summary>
internal static class GatewayScenario
{
    private const int Rps = 50;

    private sealed record RunResult(
        double Startup, double DownLog, double DownPoll, double ProxyOut, double UpLog, double UpPoll,
        long Requests, long Failed, IReadOnlyList<string> FailureReasons, double P99Ms, double MaxMs,
        double NginxProbesPerMin, double GatewayChecksPerMin, double EpisodeChecks, double EpisodeChecksPerMin);

    public static async Task<int> RunAsync(string exe, int runs, int steadySeconds, int moduleRuns)
    {
        var root = Directory.CreateTempSubdirectory("saltha-hbench-").FullName;
        var random = new Random(20261126);
        Console.WriteLine($"# through the gateway: {exe}, check \"{GatewayProcess.Act2Check}\", 2 nginx upstreams, {Rps} GET/s, {runs} runs, steady window {steadySeconds} s, logs in {root}");
        var results = new List<RunResult>();
        for (var i = 0; i < runs; i++)
        {
            var dir = Path.Combine(root, $"run-{i + 1}");
            Directory.CreateDirectory(dir);
            var r = await OneRunAsync(exe, dir, steadySeconds, random);
            results.Add(r);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"gateway run {i + 1}: startup {r.Startup:0.00}s down {r.DownLog:0.00}s (poll {r.DownPoll:0.00}s, out of rotation {r.ProxyOut:0.00}s) " +
                $"up {r.UpLog:0.00}s (poll {r.UpPoll:0.00}s) GETs {r.Requests} failed {r.Failed} p99 {r.P99Ms:0.0}ms max {r.MaxMs:0.0}ms " +
                $"probes/server/min nginx {r.NginxProbesPerMin:0.0} gateway {r.GatewayChecksPerMin:0.0}; checks of the killed server kill→up {r.EpisodeChecks:0} ({r.EpisodeChecksPerMin:0.0}/min)"));
            foreach (var reason in r.FailureReasons) Console.WriteLine($"  failed GET: {reason}");
        }

        var module = new List<(double Down, double Up, long Requests, long Failed)>();
        for (var i = 0; i < moduleRuns; i++)
        {
            var m = await Program.KillAndRestartAsync(HealthMonitorOptions.ModuleCompatible(), Rps, random);
            module.Add((m.DownSeconds, m.UpSeconds, m.Requests, m.Failed));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"module (emulated, prober level) run {i + 1}: startup {m.StartupSeconds:0.00}s down {m.DownSeconds:0.00}s up {m.UpSeconds:0.00}s GETs {m.Requests} failed {m.Failed}"));
        }
        var modulePerMin = moduleRuns > 0 ? await Program.SteadyProbesPerMinuteAsync(HealthMonitorOptions.ModuleCompatible(), steadySeconds) : double.NaN;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"module (emulated) steady: {modulePerMin:0.0} probes/server/min"));

        Console.WriteLine();
        Console.WriteLine("| scenario | kill → marked down, median (min–max) | restart → marked up, median (min–max) | failed GETs / total | probes / server / min |");
        Console.WriteLine("|---|---|---|---|---|");
        if (moduleRuns > 0)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| module (emulated, prober level) | {Span(module.Select(m => m.Down))} | {Span(module.Select(m => m.Up))} | {module.Sum(m => m.Failed)} / {module.Sum(m => m.Requests)} | {modulePerMin:0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| gateway (real process, nginx upstreams) | {Span(results.Select(r => r.DownLog))} | {Span(results.Select(r => r.UpLog))} | {results.Sum(r => r.Failed)} / {results.Sum(r => r.Requests)} | {Median(results.Select(r => r.NginxProbesPerMin)):0.0} |"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gateway medians: startup {Median(results.Select(r => r.Startup)):0.00}s, down by /status poll {Median(results.Select(r => r.DownPoll)):0.00}s, " +
            $"out of rotation (saltha_upstream_up 0) {Median(results.Select(r => r.ProxyOut)):0.00}s, up by /status poll {Median(results.Select(r => r.UpPoll)):0.00}s, " +
            $"p99 {Median(results.Select(r => r.P99Ms)):0.0}ms, max {results.Max(r => r.MaxMs):0.0}ms, gateway-counted checks/server/min {Median(results.Select(r => r.GatewayChecksPerMin)):0.0}, " +
            $"checks of the killed server kill→up {Median(results.Select(r => r.EpisodeChecks)):0} ({Median(results.Select(r => r.EpisodeChecksPerMin)):0.0}/min)"));
        return 0;
    }

    private static async Task<RunResult> OneRunAsync(string exe, string dir, int steadySeconds, Random random)
    {
        await using var a = new NginxUpstream(dir, NginxUpstream.FreePort());
        await using var b = new NginxUpstream(dir, NginxUpstream.FreePort());
        await a.StartAsync();
        await b.StartAsync();
        var (gateway, startup) = await GatewayProcess.StartAsync(exe, dir, [a, b]);
        await using var _ = gateway;

        var poller = new StatusPoller(gateway.AdminPort);
        var client = new RateClient(gateway.ListenPort);
        using var stop = new CancellationTokenSource();
        var polling = poller.RunAsync(stop.Token);
        var load = client.RunAsync(Rps, stop.Token);
        var limit = TimeSpan.FromSeconds(60);

        // Kill and restart at a random phase of the 3 s check cycle.
        await Task.Delay(2000 + random.Next(3000));
        var checksBeforeKill = poller.Latest.Checks.GetValueOrDefault(a.Name);
        var killedAt = a.Kill();
        var down = await gateway.WaitForTransitionAsync(a.Name, up: false, killedAt, limit);
        var downPoll = await poller.WaitForAsync(killedAt, s => s.CheckUp.TryGetValue(a.Name, out var up) && !up, limit);
        var proxyOut = await poller.WaitForAsync(killedAt, s => s.ProxyUp.TryGetValue(a.Name, out var up) && !up, limit);

        await Task.Delay(2000 + random.Next(3000));
        var restartedAt = await a.StartAsync();
        var up = await gateway.WaitForTransitionAsync(a.Name, up: true, restartedAt, limit);
        var upPoll = await poller.WaitForAsync(restartedAt, s => s.CheckUp.TryGetValue(a.Name, out var u) && u, limit);
        // Checks of the killed server from the kill until it is marked up again (fast probes included).
        var episodeChecks = upPoll.Checks.GetValueOrDefault(a.Name) - checksBeforeKill;
        var episodeChecksPerMin = episodeChecks / (upPoll.At - killedAt).TotalMinutes;

        // Steady state under the same load, past any fast probes of the recovery.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var nginxBefore = a.RequestlessConnections() + b.RequestlessConnections();
        var gatewayBefore = poller.Latest.Checks.Values.Sum();
        await Task.Delay(TimeSpan.FromSeconds(steadySeconds));
        var nginxProbes = a.RequestlessConnections() + b.RequestlessConnections() - nginxBefore;
        var gatewayChecks = poller.Latest.Checks.Values.Sum() - gatewayBefore;

        stop.Cancel();
        await Task.WhenAll(load, polling);
        var minutes = steadySeconds / 60.0;
        return new RunResult(
            startup, (down.At - killedAt).TotalSeconds, (downPoll.At - killedAt).TotalSeconds, (proxyOut.At - killedAt).TotalSeconds,
            (up.At - restartedAt).TotalSeconds, (upPoll.At - restartedAt).TotalSeconds,
            client.Requests, client.Requests - client.Ok,
            client.Failures.Select(f => $"{f.At:HH:mm:ss.fff} (kill {killedAt:HH:mm:ss.fff}, restart {restartedAt:HH:mm:ss.fff}) {f.Reason}").ToList(),
            client.LatencyPercentile(0.99), client.LatencyPercentile(1.0),
            nginxProbes / 2.0 / minutes, gatewayChecks / 2.0 / minutes, episodeChecks, episodeChecksPerMin);
    }

    private static string Span(IEnumerable<double> values)
    {
        var list = values.ToList();
        return string.Create(CultureInfo.InvariantCulture, $"{Median(list):0.00} s ({list.Min():0.0}–{list.Max():0.0})");
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
