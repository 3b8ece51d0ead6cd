using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using SaltHaGateway.Health;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Forwarding;

/// <summary>
/// Opens the proxy's connections to upstream servers and remembers them per server, so that when the health checker
/// marks a server down its idle pooled connections can be closed at once instead of being reused and failing later.
/// "Idle" means no bytes moved for at least <see cref="QuietPeriod"/>.
/// The connections are remembered weakly: a reload that replaces a cluster's HTTP client abandons the old handler
/// with its pooled connections (YARP does not dispose it, requests may still be using it), and a strong reference
/// here would keep those sockets open for the life of the process, one batch per reload.
/// </summary>
public sealed class UpstreamConnections
{
    public static readonly TimeSpan QuietPeriod = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, ServerConnections> _byServer = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;

    public UpstreamConnections(IUpstreamHealthSource health, TimeProvider time)
    {
        _time = time;
        health.Changed += (upstream, server, up) =>
        {
            if (up) return;
            CloseIdle(server);
            // A connection used just before the server went down is not idle yet: look again once it could be.
            _ = SweepLaterAsync(health, upstream, server);
        };
    }

    private async Task SweepLaterAsync(IUpstreamHealthSource health, string upstream, string server)
    {
        await Task.Delay(QuietPeriod + TimeSpan.FromMilliseconds(100), _time);
        if (!health.IsUp(upstream, server)) CloseIdle(server);
    }

    /// <summary>Open connections per server, for the status of tests and metrics.</summary>
    public int Count(string server) => _byServer.TryGetValue(server, out var set) ? set.Live().Count() : 0;

    /// <summary>
    /// A <see cref="SocketsHttpHandler.ConnectCallback"/> that connects as the handler would and tracks the stream;
    /// to an https destination it also does the TLS handshake with the upstream's settings (the handler uses a
    /// returned <see cref="SslStream"/> as it is). A failed handshake throws <see cref="UpstreamTlsException"/>.
    /// Without <paramref name="tls"/> the handler does the TLS itself.
    /// </summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, UpstreamTls? tls, CancellationToken ct)
    {
        var stream = await ConnectAsync(context, ct);
        if (tls is null || context.InitialRequestMessage.RequestUri?.Scheme != Uri.UriSchemeHttps) return stream;

        var host = context.DnsEndPoint.Host;
        string? rejected = null;
        var options = tls.ClientOptions(host, reason => rejected = reason);
        // ALPN as the handler would offer it: h2 only when the request asks for HTTP/2.
        options.ApplicationProtocols = context.InitialRequestMessage.Version.Major >= 2
            ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]
            : [SslApplicationProtocol.Http11];
        var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
        try
        {
            await ssl.AuthenticateAsClientAsync(options, ct);
            return ssl;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await ssl.DisposeAsync();
            throw new UpstreamTlsException(rejected ?? tls.DescribeHandshakeFailure(e), e);
        }
        catch
        {
            await ssl.DisposeAsync();
            throw;
        }
    }

    /// <summary>Opens and tracks the TCP connection.</summary>
    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var endpoint = context.DnsEndPoint;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        var server = endpoint.Host.Contains(':') ? $"[{endpoint.Host}]:{endpoint.Port}" : $"{endpoint.Host}:{endpoint.Port}";
        var set = _byServer.GetOrAdd(server, _ => new());
        var stream = new TrackedStream(socket, set, _time);
        stream.Id = set.Add(stream);
        return stream;
    }

    /// <summary>Closes the server's connections that have been quiet for the quiet period; returns how many.</summary>
    public int CloseIdle(string server)
    {
        if (!_byServer.TryGetValue(server, out var set)) return 0;
        var closed = 0;
        var now = _time.GetTimestamp();
        foreach (var stream in set.Live())
        {
            if (_time.GetElapsedTime(stream.LastActivity, now) < QuietPeriod) continue;
            stream.Dispose();
            closed++;
        }
        return closed;
    }

    /// <summary>One server's connections, held weakly; entries of streams that were collected are pruned as the set
    /// grows, so it stays proportional to the connections that are still open.</summary>
    private sealed class ServerConnections
    {
        private readonly ConcurrentDictionary<long, WeakReference<TrackedStream>> _streams = new();
        private long _nextId;
        private int _pruneAt = 64;

        public long Add(TrackedStream stream)
        {
            var id = Interlocked.Increment(ref _nextId);
            _streams[id] = new WeakReference<TrackedStream>(stream);
            if (_streams.Count >= Volatile.Read(ref _pruneAt))
            {
                foreach (var (key, weak) in _streams)
                {
                    if (!weak.TryGetTarget(out _)) _streams.TryRemove(key, out _);
                }
                Volatile.Write(ref _pruneAt, Math.Max(64, 2 * _streams.Count));
            }
            return id;
        }

        public void Remove(long id) => _streams.TryRemove(id, out _);

        public IEnumerable<TrackedStream> Live()
        {
            foreach (var weak in _streams.Values)
            {
                if (weak.TryGetTarget(out var stream)) yield return stream;
            }
        }
    }

    private sealed class TrackedStream : NetworkStream
    {
        private readonly ServerConnections _owner;
        private readonly TimeProvider _time;

        public TrackedStream(Socket socket, ServerConnections owner, TimeProvider time) : base(socket, ownsSocket: true)
        {
            _owner = owner;
            _time = time;
            LastActivity = time.GetTimestamp();
        }

        public long Id { get; set; }

        public long LastActivity { get; private set; }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await base.ReadAsync(buffer, cancellationToken);
            LastActivity = _time.GetTimestamp();
            return n;
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            LastActivity = _time.GetTimestamp();
            return base.WriteAsync(buffer, cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            _owner.Remove(Id);
            base.Dispose(disposing);
        }
    }
}
