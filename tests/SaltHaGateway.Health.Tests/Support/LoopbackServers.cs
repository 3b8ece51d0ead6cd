using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace SaltHaGateway.Health.Tests;

/// <summary>
/// A tiny HTTP/1.0 server on 127.0.0.1 (port 0): answers every request with <see cref="Status"/>,
/// optionally over TLS with a self-signed certificate made for the test.
/// </summary>
internal sealed class LoopbackHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly X509Certificate2? _certificate;
    private readonly Task _accepting;
    private readonly bool _replyAtOnce;

    public LoopbackHttpServer(X509Certificate2? certificate = null, string? rawReply = null, bool replyAtOnce = false)
    {
        _certificate = certificate;
        RawReply = rawReply;
        _replyAtOnce = replyAtOnce;
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }
    public volatile int Status = 200;
    public volatile string? RawReply;
    public volatile string? LastRequest;
    public volatile string? LastServerName;
    public int Requests;
    public int Accepted;
    public int ClosedByPeer;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch { return; }
            Interlocked.Increment(ref Accepted);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            Stream stream = client.GetStream();
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificateSelectionCallback = (_, name) => { LastServerName = name; return _certificate; },
                }, timeout.Token);
                stream = tls;
            }
            var buffer = new byte[4096];
            var filled = 0;
            while (!_replyAtOnce && filled < buffer.Length)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(filled), timeout.Token);
                if (n == 0)
                {
                    Interlocked.Increment(ref ClosedByPeer);
                    return;
                }
                filled += n;
                if (Encoding.Latin1.GetString(buffer, 0, filled).Contains("\r\n\r\n")) break;
            }
            LastRequest = Encoding.Latin1.GetString(buffer, 0, filled);
            Interlocked.Increment(ref Requests);
            var reply = RawReply ?? $"HTTP/1.0 {Status} Test\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.Latin1.GetBytes(reply), timeout.Token);
            await stream.FlushAsync(timeout.Token);
        }
        catch
        {
            // Probes hang up early (tcp and ssl_hello checks); that is fine here.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        await _accepting;
    }

    public static X509Certificate2 SelfSignedCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}

/// <summary>A loopback port that is bound but not listening: connects get a RST (refused). Kept bound so no one else takes it.</summary>
internal sealed class RefusingPort : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public RefusingPort()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public void Dispose() => _socket.Dispose();
}

/// <summary>
/// A listener whose accept queue is full and never drained: Linux drops further SYNs, so a connect
/// hangs like one to a dead host.
/// </summary>
internal sealed class BlackHoleListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    private BlackHoleListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
    }

    public int Port { get; }

    public static async Task<BlackHoleListener> CreateAsync()
    {
        var hole = new BlackHoleListener();
        for (var i = 0; i < 32; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await filler.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hole.Port), cts.Token);
                hole._fillers.Add(filler);
            }
            catch (OperationCanceledException)
            {
                filler.Dispose();
                return hole;
            }
        }
        hole.Dispose();
        throw new InvalidOperationException("the accept queue never filled up");
    }

    public void Dispose()
    {
        foreach (var s in _fillers) s.Dispose();
        _listener.Dispose();
    }
}
