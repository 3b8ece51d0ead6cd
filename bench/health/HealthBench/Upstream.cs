using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HealthBench;

/// <summary>
/// One loopback upstream (stand-in for act2 on a master): accepts, answers any request with 200, and can
/// be killed (the port then refuses, like a dead process) and restarted on the same port.
/// </summary>
internal sealed class Upstream : IAsyncDisposable
{
    private TcpListener? _listener;
    private CancellationTokenSource? _stop;
    private Task? _accepting;

    public Upstream() => Start(0);

    public int Port { get; private set; }
    public long Accepted;

    public void Kill()
    {
        _stop?.Cancel();
        _listener?.Stop();
        _listener = null;
    }

    public void Restart() => Start(Port);

    private void Start(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start(512);
        Port = ((IPEndPoint)listener.LocalEndpoint).Port;
        _listener = listener;
        _stop = new CancellationTokenSource();
        var token = _stop.Token;
        _accepting = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                Socket client;
                try { client = await listener.AcceptSocketAsync(token); }
                catch { return; }
                Interlocked.Increment(ref Accepted);
                _ = Task.Run(() => ServeAsync(client, token));
            }
        });
    }

    private static async Task ServeAsync(Socket client, CancellationToken token)
    {
        using var _ = client;
        try
        {
            var buffer = new byte[2048];
            var filled = 0;
            while (filled < buffer.Length)
            {
                var n = await client.ReceiveAsync(buffer.AsMemory(filled), token);
                if (n == 0) return;
                filled += n;
                if (Encoding.ASCII.GetString(buffer, 0, filled).Contains("\r\n\r\n")) break;
            }
            await client.SendAsync("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"u8.ToArray(), token);
        }
        catch
        {
            // probes hang up without a request
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        if (_accepting is not null) await _accepting;
    }
}
