using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>systemd's end of NOTIFY_SOCKET: a datagram socket in a temp dir that keeps every message, in order, with
/// the time it arrived and what <c>onMessage</c> saw at that moment (it runs before the next receive).</summary>
public sealed class NotifySocketListener : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly string _dir = Directory.CreateTempSubdirectory("shg-notify-").FullName;

    public NotifySocketListener(Func<string, string>? onMessage = null)
    {
        Path = System.IO.Path.Combine(_dir, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
        new Thread(() =>
        {
            var buffer = new byte[4096];
            try
            {
                while (true)
                {
                    var n = _socket.Receive(buffer);
                    var message = Encoding.UTF8.GetString(buffer, 0, n);
                    var at = DateTimeOffset.UtcNow;
                    Messages.Enqueue((message, at, onMessage?.Invoke(message) ?? ""));
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { }
        }) { IsBackground = true, Name = "notify socket" }.Start();
    }

    public string Path { get; }
    public ConcurrentQueue<(string Message, DateTimeOffset At, string Seen)> Messages { get; } = new();
    public List<string> All => Messages.Select(m => m.Message).ToList();
    public string Dump => string.Join("\n---\n", Messages.Select(m => $"{m.At:HH:mm:ss.fff} {m.Message} [{m.Seen}]"));

    public void Dispose()
    {
        _socket.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}
