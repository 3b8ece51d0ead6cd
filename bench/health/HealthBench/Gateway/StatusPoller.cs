using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HealthBench.Gateway;

/// <summary>
/// Polls the gateway's admin endpoints every 100 ms, as an operator's monitoring would: the check verdict from
/// /status?format=json and the proxy's own view (saltha_upstream_up, which also counts passive failures)
/// from /metrics. Keeps one sample per poll so the first change after an event can be looked up.
/// </summary>
internal sealed partial class StatusPoller(int adminPort)
{
    public sealed record Sample(DateTimeOffset At, IReadOnlyDictionary<string, bool> CheckUp, IReadOnlyDictionary<string, bool> ProxyUp, IReadOnlyDictionary<string, double> Checks);

    public ConcurrentQueue<Sample> Samples { get; } = new();

    public async Task RunAsync(CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    var status = await http.GetStringAsync($"http://127.0.0.1:{adminPort}/status?format=json", ct);
                    var metrics = await http.GetStringAsync($"http://127.0.0.1:{adminPort}/metrics", ct);
                    var at = DateTimeOffset.UtcNow;
                    Samples.Enqueue(new Sample(at, ParseStatus(status), Gauge(metrics, "saltha_upstream_up"), CheckCounts(metrics)));
                }
                catch (HttpRequestException) { }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested) { }
            }
        }
        catch (OperationCanceledException) { }
    }

    /// <summary>The first sample at or after <paramref name="after"/> where the predicate holds.</summary>
    public async Task<Sample> WaitForAsync(DateTimeOffset after, Func<Sample, bool> predicate, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        while (DateTime.UtcNow < deadline)
        {
            var hit = Samples.FirstOrDefault(s => s.At >= after && predicate(s));
            if (hit is not null) return hit;
            await Task.Delay(50);
        }
        throw new TimeoutException("status poll: condition not reached");
    }

    public Sample Latest => Samples.Last();

    private static Dictionary<string, bool> ParseStatus(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var result = new Dictionary<string, bool>();
        foreach (var server in doc.RootElement.GetProperty("servers").GetProperty("server").EnumerateArray())
            result[server.GetProperty("name").GetString()!] = server.GetProperty("status").GetString() == "up";
        return result;
    }

    private static Dictionary<string, bool> Gauge(string metrics, string name)
    {
        var result = new Dictionary<string, bool>();
        foreach (Match m in MetricLine().Matches(metrics))
            if (m.Groups["name"].Value == name) result[m.Groups["server"].Value] = m.Groups["value"].Value == "1";
        return result;
    }

    /// <summary>saltha_upstream_checks_total summed over reasons: the gateway's own count of checks per server.</summary>
    private static Dictionary<string, double> CheckCounts(string metrics)
    {
        var result = new Dictionary<string, double>();
        foreach (Match m in MetricLine().Matches(metrics))
        {
            if (m.Groups["name"].Value != "saltha_upstream_checks_total") continue;
            var server = m.Groups["server"].Value;
            result[server] = result.GetValueOrDefault(server) + double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture);
        }
        return result;
    }

    [GeneratedRegex("""^(?<name>saltha_[a-z_]+)\{[^}]*server="(?<server>[^"]+)"[^}]*\} (?<value>\S+)$""", RegexOptions.Multiline)]
    private static partial Regex MetricLine();
}
