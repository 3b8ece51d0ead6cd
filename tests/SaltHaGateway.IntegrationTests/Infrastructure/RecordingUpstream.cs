using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// An HTTP/1.1 upstream on a raw loopback socket that keeps the exact bytes every connection sent and splits them into
/// requests by the strictest reading of RFC 9112: CRLF line endings, no obs-fold, no space before a colon, exactly one
/// Host, and a body framed by one Content-Length or by <c>Transfer-Encoding: chunked</c> alone. A request any server
/// could read two ways is recorded as a <see cref="Connection.Violation"/> and the connection is closed. Each whole
/// request is answered with <c>got METHOD TARGET BODYLENGTH</c>, so a client can tell whose answer it received.
/// </summary>
public sealed class RecordingUpstream : IAsyncDisposable
{
    private const int MaxHead = 64 * 1024;
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Connection> _connections = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private int _sequence;

    /// <summary>One request as the upstream read it: the head as text and the body (de-chunked). <paramref name="Sequence"/>
    /// counts whole requests over all connections, in the order they were read.</summary>
    public sealed record Request(int Sequence, int Connection, string Head, byte[] Body)
    {
        public string RequestLine => Head[..Head.IndexOf("\r\n", StringComparison.Ordinal)];

        public IEnumerable<string> HeaderValues(string name) =>
            Head.Split("\r\n").Skip(1).Where(l => l.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(l => l[(name.Length + 1)..].Trim());

        public string BodyText => Encoding.Latin1.GetString(Body);
        public override string ToString() => Head.ReplaceLineEndings("⏎") + $"[{Body.Length} body bytes]";
    }

    public sealed class Connection(int id)
    {
        private readonly MemoryStream _bytes = new();
        private readonly List<Request> _requests = [];

        public int Id { get; } = id;
        /// <summary>Why the connection was closed on a request that could be read two ways; null when it never was.</summary>
        public string? Violation { get; private set; }
        /// <summary>Bytes after the last whole request when the connection ended (a request cut short or a violation).</summary>
        public int Leftover { get; private set; }
        /// <summary>The first line of those bytes: the request that was cut short.</summary>
        public string? CutRequestLine { get; private set; }
        public bool Closed { get; private set; }

        public byte[] Bytes { get { lock (_bytes) return _bytes.ToArray(); } }
        public IReadOnlyList<Request> Requests { get { lock (_requests) return [.. _requests]; } }

        internal void Received(ReadOnlySpan<byte> data) { lock (_bytes) _bytes.Write(data); }
        internal void Add(Request request) { lock (_requests) _requests.Add(request); }
        internal void End(string? violation, int leftover)
        {
            (Violation, Leftover) = (violation, leftover);
            if (leftover > 0)
            {
                var bytes = Bytes;
                var cut = Encoding.Latin1.GetString(bytes, bytes.Length - leftover, Math.Min(leftover, 200));
                CutRequestLine = cut.Split('\n')[0].TrimEnd('\r');
            }
            Closed = true;
        }

        public override string ToString() =>
            $"connection {Id}: {Requests.Count} requests{(Violation is null ? "" : $", violation: {Violation}")}{(Leftover > 0 ? $", {Leftover} bytes left over from {CutRequestLine}" : "")}";
    }

    public RecordingUpstream()
    {
        _listener.Start(512);
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    public string Address => $"http://127.0.0.1:{Port}";

    public IReadOnlyList<Connection> Connections { get { lock (_connections) return [.. _connections]; } }
    /// <summary>Every whole request so far, in the order they were read.</summary>
    public IReadOnlyList<Request> Requests => Connections.SelectMany(c => c.Requests).OrderBy(r => r.Sequence).ToList();
    public IReadOnlyList<string> Violations => Connections.Where(c => c.Violation is not null).Select(c => c.ToString()).ToList();

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try { socket = await _listener.AcceptSocketAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException) { return; }
            Connection connection;
            lock (_connections) _connections.Add(connection = new Connection(_connections.Count + 1));
            _ = ServeAsync(socket, connection);
        }
    }

    private async Task ServeAsync(Socket socket, Connection connection)
    {
        using var stream = new NetworkStream(socket, ownsSocket: true);
        var reader = new Reader(stream, connection, _stop.Token);
        string? violation = null;
        try
        {
            while (true)
            {
                reader.MarkRequestStart();
                var (request, problem) = await ReadRequestAsync(reader, connection.Id, () => Interlocked.Increment(ref _sequence));
                if (problem is not null) { violation = problem; break; }
                if (request is null) break;
                connection.Add(request);
                var parts = request.RequestLine.Split(' ');
                var body = Encoding.ASCII.GetBytes($"got {parts[0]} {parts[1]} {request.Body.Length}\n");
                var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\n\r\n");
                await stream.WriteAsync(head.Concat(body).ToArray(), _stop.Token);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        connection.End(violation, reader.SinceRequestStart);
    }

    /// <summary>(null, null) at a clean end of the connection.</summary>
    private static async Task<(Request?, string?)> ReadRequestAsync(Reader reader, int connection, Func<int> nextSequence)
    {
        var head = new StringBuilder();
        var requestLine = await reader.ReadLineAsync();
        if (requestLine is null) return (null, null);
        if (!requestLine.EndsWith("\r\n")) return (null, "bare LF after the request line");
        if (requestLine.TrimEnd().Split(' ') is not [_, _, "HTTP/1.1" or "HTTP/1.0"]) return (null, $"malformed request line {requestLine.TrimEnd()}");
        head.Append(requestLine);
        int hosts = 0, contentLengths = 0;
        long contentLength = 0;
        string? transferEncoding = null;
        while (true)
        {
            var line = await reader.ReadLineAsync();
            if (line is null) return (null, "connection ended inside the header");
            if (head.Length + line.Length > MaxHead) return (null, "header over 64 KiB");
            if (!line.EndsWith("\r\n")) return (null, "bare LF in the header");
            head.Append(line);
            if (line == "\r\n") break;
            if (line[0] is ' ' or '\t') return (null, "obs-fold (header line continuation)");
            var colon = line.IndexOf(':');
            if (colon <= 0 || line[..colon].Any(c => c <= ' ' || c >= 127 || "\"(),/:;<=>?@[\\]{}".Contains(c)))
                return (null, $"malformed header line {line.TrimEnd()}");
            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(' ', '\t', '\r', '\n');
            if (name.Equals("Host", StringComparison.OrdinalIgnoreCase)) hosts++;
            else if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                contentLengths++;
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out contentLength)) return (null, $"invalid Content-Length {value}");
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
            {
                if (transferEncoding is not null) return (null, "two Transfer-Encoding headers");
                transferEncoding = value;
            }
        }
        if (hosts != 1) return (null, $"{hosts} Host headers");
        if (contentLengths > 1) return (null, $"{contentLengths} Content-Length headers");
        if (contentLengths == 1 && transferEncoding is not null) return (null, "both Content-Length and Transfer-Encoding");
        if (transferEncoding is not null && !transferEncoding.Equals("chunked", StringComparison.OrdinalIgnoreCase))
            return (null, $"Transfer-Encoding: {transferEncoding}");

        byte[] body;
        if (transferEncoding is null)
        {
            body = await reader.ReadExactAsync(contentLength) ?? [];
            if (body.Length != contentLength) return (null, null);
        }
        else
        {
            var decoded = new MemoryStream();
            while (true)
            {
                var sizeLine = await reader.ReadLineAsync();
                if (sizeLine is null) return (null, null);
                if (!sizeLine.EndsWith("\r\n")) return (null, "bare LF in a chunk size line");
                var sizeText = sizeLine.TrimEnd('\r', '\n').Split(';')[0];
                if (sizeText.Length is 0 or > 15 || !long.TryParse(sizeText, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var size))
                    return (null, $"invalid chunk size {sizeText}");
                if (size == 0) break;
                var chunk = await reader.ReadExactAsync(size + 2);
                if (chunk is null) return (null, null);
                if (chunk[^2] != '\r' || chunk[^1] != '\n') return (null, "chunk data not followed by CRLF");
                decoded.Write(chunk, 0, chunk.Length - 2);
            }
            while (true)
            {
                var trailer = await reader.ReadLineAsync();
                if (trailer is null) return (null, null);
                if (trailer == "\r\n") break;
            }
            body = decoded.ToArray();
        }
        return (new Request(nextSequence(), connection, head.ToString(), body), null);
    }

    /// <summary>Buffered reads that keep every received byte in the connection's record.</summary>
    private sealed class Reader(NetworkStream stream, Connection connection, CancellationToken ct)
    {
        private byte[] _buffer = new byte[16 * 1024];
        private int _start, _end;
        private long _consumedTotal, _receivedTotal, _requestStart;

        public int SinceRequestStart => (int)(_receivedTotal - _requestStart);
        public void MarkRequestStart() => _requestStart = _consumedTotal;

        private async Task<bool> FillAsync()
        {
            if (_start > 0)
            {
                Array.Copy(_buffer, _start, _buffer, 0, _end - _start);
                (_end, _start) = (_end - _start, 0);
            }
            if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
            var n = await stream.ReadAsync(_buffer.AsMemory(_end), ct);
            if (n == 0) return false;
            connection.Received(_buffer.AsSpan(_end, n));
            _end += n;
            _receivedTotal += n;
            return true;
        }

        /// <summary>A line with its terminator (LF, maybe after CR) as Latin-1 text; null at the end of the stream.</summary>
        public async Task<string?> ReadLineAsync()
        {
            var scanned = 0;
            while (true)
            {
                var lf = Array.IndexOf(_buffer, (byte)'\n', _start + scanned, _end - _start - scanned);
                if (lf >= 0)
                {
                    var line = Encoding.Latin1.GetString(_buffer, _start, lf + 1 - _start);
                    Consume(lf + 1 - _start);
                    return line;
                }
                scanned = _end - _start;
                if (scanned > MaxHead || !await FillAsync()) return null;
            }
        }

        /// <summary>Exactly <paramref name="count"/> bytes; null when the stream ends first.</summary>
        public async Task<byte[]?> ReadExactAsync(long count)
        {
            var result = new MemoryStream();
            while (result.Length < count)
            {
                if (_end == _start && !await FillAsync()) return null;
                var n = (int)Math.Min(count - result.Length, _end - _start);
                result.Write(_buffer, _start, n);
                Consume(n);
            }
            return result.ToArray();
        }

        private void Consume(int n)
        {
            _start += n;
            _consumedTotal += n;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }
}
