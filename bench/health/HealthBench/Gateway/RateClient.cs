using System.Collections.Concurrent;
using System.Diagnostics;

namespace HealthBench.Gateway;

/// <summary>
/// Fixed-rate client load through the gateway's listener: one GET every 1/rate s on its own schedule (an
/// open model: a slow answer does not hold back the next request, unlike wrk's closed loop). Pooled
/// keep-alive connections to the gateway, 10 s per-request timeout. A GET fails on a non-200 status or
/// any transport error; each failure is kept with its time and reason.
/// </summary>
internal sealed class RateClient(int listenPort)
{
    private readonly ConcurrentBag<double> _latencies = [];
    public ConcurrentQueue<(DateTimeOffset At, string Reason)> Failures { get; } = new();
    public long Requests;
    public long Ok;

    public async Task RunAsync(int requestsPerSecond, CancellationToken ct)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(2) };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        var uri = new Uri($"http://127.0.0.1:{listenPort}/");
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / requestsPerSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                inFlight.Add(OneAsync(http, uri));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(inFlight);
    }

    private async Task OneAsync(HttpClient http, Uri uri)
    {
        Interlocked.Increment(ref Requests);
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(uri);
            await response.Content.ReadAsByteArrayAsync();
            if ((int)response.StatusCode == 200) Interlocked.Increment(ref Ok);
            else Failures.Enqueue((DateTimeOffset.UtcNow, $"HTTP {(int)response.StatusCode}"));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Failures.Enqueue((DateTimeOffset.UtcNow, $"{e.GetType().Name}: {e.Message}"));
        }
        _latencies.Add(clock.Elapsed.TotalMilliseconds);
    }

    public double LatencyPercentile(double p)
    {
        var sorted = _latencies.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }
}
