using System.Net;
using System.Net.Sockets;
using System.Text;
using SaltHaGateway.Health;

namespace HealthBench;

/// <summary>
/// Steady client load through a stand-in for the proxy: round-robin over the servers the monitor calls up,
/// a 1 s connect timeout, on a connect error a passive report and one try on each remaining server
/// (proxy_next_upstream error timeout). No max_fails bench, so it isolates what the active checker does.
/// The real proxy in front of real upstreams is measured by the gateway scenario (Gateway/GatewayScenario.cs).
/// </summary>
internal sealed class StandInClient(UpstreamHealthMonitor monitor, string upstream, IReadOnlyList<Upstream> servers)
{
    private int _next;
    public long Requests;
    public long Failed;
    public long ConnectErrors;

    public async Task RunAsync(int requestsPerSecond, CancellationToken ct)
    {
        var gap = TimeSpan.FromSeconds(1.0 / requestsPerSecond);
        var inFlight = new List<Task>();
        using var timer = new PeriodicTimer(gap);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                inFlight.Add(OneAsync(ct));
                inFlight.RemoveAll(t => t.IsCompleted);
            }
        }
        catch (OperationCanceledException) { }
        await Task.WhenAll(inFlight);
    }

    private async Task OneAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref Requests);
        var start = Interlocked.Increment(ref _next);
        for (var attempt = 0; attempt < servers.Count; attempt++)
        {
            var server = servers[(start + attempt) % servers.Count];
            var name = $"127.0.0.1:{server.Port}";
            if (!monitor.IsUp(upstream, name)) continue;
            switch (await GetAsync(server.Port))
            {
                case true: return;
                case null:
                    Interlocked.Increment(ref ConnectErrors);
                    monitor.ReportPassiveFailure(upstream, name);
                    continue;
                case false:
                    Interlocked.Increment(ref Failed); // sent but failed: not retried, like nginx after the request went out
                    return;
            }
        }
        Interlocked.Increment(ref Failed); // no live upstream: 502
    }

    /// <summary>true = 200; null = could not connect (retryable); false = failed after connecting.</summary>
    private static async Task<bool?> GetAsync(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        try
        {
            await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        }
        catch
        {
            return null;
        }
        try
        {
            await socket.SendAsync("GET / HTTP/1.0\r\n\r\n"u8.ToArray());
            var buffer = new byte[256];
            var n = await socket.ReceiveAsync(buffer);
            return n > 12 && Encoding.ASCII.GetString(buffer, 0, 12) == "HTTP/1.0 200";
        }
        catch
        {
            return false;
        }
    }
}
