using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>What came back on one raw connection: every byte until the server closed it (or the wait ran out).</summary>
public sealed partial record RawResponse(string Text, bool Closed, bool Reset)
{
    /// <summary>The status codes of the responses, in order.</summary>
    public IReadOnlyList<int> Statuses => StatusLine().Matches(Text).Select(m => int.Parse(m.Groups[1].Value)).ToList();

    public int? Status => Statuses.Count > 0 ? Statuses[0] : null;

    /// <summary>The first status code, or how the connection ended without one.</summary>
    public string Verdict => Status?.ToString() ?? (Reset ? "reset" : Closed ? "closed" : "no answer");

    [GeneratedRegex(@"(?m)^HTTP/1\.[01] (\d{3})")]
    private static partial Regex StatusLine();
}

/// <summary>Requests written byte for byte on a loopback socket, for input no HTTP client library would send.</summary>
public static class RawHttp
{
    public static byte[] Bytes(string text) => Encoding.Latin1.GetBytes(text);

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and reads until the server closes it, or until
    /// <paramref name="wait"/> (5 s by default) has passed.</summary>
    public static async Task<RawResponse> ExchangeAsync(int port, byte[] request, TimeSpan? wait = null)
    {
        using var socket = await ConnectAsync(port);
        try { await socket.SendAsync(request); }
        catch (SocketException) { } // the server may answer and close before it has read everything
        return await ReadToEndAsync(socket, wait ?? TimeSpan.FromSeconds(5));
    }

    public static async Task<RawResponse> ReadToEndAsync(Socket socket, TimeSpan wait)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        using var cts = new CancellationTokenSource(wait);
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
                if (n == 0) return new(Encoding.Latin1.GetString(received.ToArray()), Closed: true, Reset: false);
                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            return new(Encoding.Latin1.GetString(received.ToArray()), Closed: false, Reset: false);
        }
        catch (SocketException)
        {
            return new(Encoding.Latin1.GetString(received.ToArray()), Closed: true, Reset: true);
        }
    }
}
