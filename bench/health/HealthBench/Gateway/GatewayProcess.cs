using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;

namespace HealthBench.Gateway;

/// <summary>
/// The real salt-ha-gateway process with the act2 cluster over the given upstreams, on loopback ports.
/// Keeps every output line with the time it was read, and extracts the checker's own transition lines
/// ("disable check peer" / "enable check peer") with the timestamp the gateway logged them at.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    public const string Act2Check = "interval=3000 rise=2 fall=5 timeout=1000 type=tcp";
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _stdout;
    private readonly Task _stderr;

    public sealed record Transition(DateTimeOffset At, string Server, bool Up, string Line);

    public ConcurrentQueue<Transition> Transitions { get; } = new();
    public int ListenPort { get; }
    public int AdminPort { get; }

    private GatewayProcess(Process process, StreamWriter log, int listenPort, int adminPort)
    {
        _process = process;
        _log = log;
        ListenPort = listenPort;
        AdminPort = adminPort;
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public static async Task<(GatewayProcess Gateway, double StartupSeconds)> StartAsync(string exe, string dir, IReadOnlyList<NginxUpstream> upstreams)
    {
        int listen = NginxUpstream.FreePort(), admin = NginxUpstream.FreePort();
        var destinations = string.Join(",\n", upstreams.Select(u => $$"""      "{{u.Name}}": { "Address": "http://{{u.Name}}" }"""));
        var config = Path.Combine(dir, "gateway.json");
        File.WriteAllText(config, $$"""
            {
              "Gateway": {
                "Listen": [ "http://127.0.0.1:{{listen}}" ],
                "Admin": { "Listen": "http://127.0.0.1:{{admin}}" },
                "AccessLog": { "Format": "off" },
                "Log": { "Format": "text", "Level": "Information" }
              },
              "ReverseProxy": {
                "Routes": { "act2": { "ClusterId": "act2", "Match": { "Path": "/{**catch-all}" } } },
                "Clusters": {
                  "act2": {
                    "Metadata": { "Balance": "round_robin", "Check": "{{Act2Check}}" },
                    "Destinations": {
            {{destinations}}
                    }
                  }
                }
              }
            }
            """);
        var info = new ProcessStartInfo(exe, ["run", "--config", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var clock = Stopwatch.StartNew();
        var process = Process.Start(info) ?? throw new InvalidOperationException("salt-ha-gateway did not start");
        var gateway = new GatewayProcess(process, new StreamWriter(Path.Combine(dir, "gateway.log")) { AutoFlush = true }, listen, admin);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(1) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited) throw new InvalidOperationException($"salt-ha-gateway exited with {process.ExitCode}, see {dir}/gateway.log");
            try
            {
                // The first request that the listener answers with 200 is the moment traffic can flow.
                using var response = await http.GetAsync($"http://127.0.0.1:{listen}/");
                if (response.IsSuccessStatusCode) return (gateway, clock.Elapsed.TotalSeconds);
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(10);
        }
        throw new TimeoutException($"salt-ha-gateway did not serve within 30 s, see {dir}/gateway.log");
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_log) _log.WriteLine(line);
            var up = line.Contains("enable check peer: ", StringComparison.Ordinal);
            if (!up && !line.Contains("disable check peer: ", StringComparison.Ordinal)) continue;
            var marker = up ? "enable check peer: " : "disable check peer: ";
            var rest = line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];
            var server = rest[..rest.IndexOf(' ')];
            var stamp = DateTimeOffset.Parse(line[..line.IndexOf(' ')], CultureInfo.InvariantCulture);
            Transitions.Enqueue(new Transition(stamp, server, up, line));
        }
    }

    public async Task<Transition> WaitForTransitionAsync(string server, bool up, DateTimeOffset after, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var hit = Transitions.FirstOrDefault(t => t.Server == server && t.Up == up && t.At >= after);
            if (hit is not null) return hit;
            await Task.Delay(20);
        }
        throw new TimeoutException($"no {(up ? "enable" : "disable")} check peer for {server} within {limit.TotalSeconds} s");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(); // SIGKILL: the bench needs no graceful drain, and must not leave a process behind
            await _process.WaitForExitAsync();
        }
        await Task.WhenAll(_stdout, _stderr);
        lock (_log) _log.Dispose();
        _process.Dispose();
    }
}
