using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace SaltHaGateway.Health;

/// <summary>
/// Probes over real sockets. Every check opens a fresh connection and closes it afterwards: the module's
/// kept-open tcp check socket never notices a silently dead host (yaoweibin#144), so it is not copied.
/// </summary>
public sealed class SocketHealthProber : IHealthProber
{
    public async Task<ProbeResult> ProbeAsync(ProbeDefinition probe, CancellationToken ct)
    {
        Socket socket;
        try
        {
            socket = await ConnectAsync(probe.Host, probe.Port, ct).ConfigureAwait(false);
        }
        catch (SocketException e)
        {
            return FromSocketError(e.SocketErrorCode, "connect");
        }

        using (socket)
        {
            try
            {
                return probe.Type switch
                {
                    CheckType.Tcp => PeekAfterConnect(socket),
                    CheckType.Http => await HttpAsync(new NetworkStream(socket, ownsSocket: false), probe, ct).ConfigureAwait(false),
                    CheckType.SslHello => await TlsAsync(socket, probe, verify: false, ct).ConfigureAwait(false),
                    CheckType.Https => await HttpsAsync(socket, probe, ct).ConfigureAwait(false),
                    _ => ProbeResult.Fail(ProbeReason.Error, $"unsupported check type {probe.Type}"),
                };
            }
            catch (SocketException e)
            {
                return FromSocketError(e.SocketErrorCode, "io");
            }
            catch (IOException e) when (e.InnerException is SocketException se)
            {
                return FromSocketError(se.SocketErrorCode, "io");
            }
            catch (AuthenticationException e)
            {
                return ProbeResult.Fail(ProbeReason.TlsFailed, "tls handshake failed: " + e.Message);
            }
            catch (IOException e)
            {
                return ProbeResult.Fail(ProbeReason.Closed, "connection closed: " + e.Message);
            }
        }
    }

    private static async Task<Socket> ConnectAsync(string host, int port, CancellationToken ct)
    {
        if (!IPAddress.TryParse(host.Trim('[', ']'), out var address))
        {
            var addresses = await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
            address = addresses.Length > 0 ? addresses[0] : throw new SocketException((int)SocketError.HostNotFound);
        }
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(new IPEndPoint(address, port), ct).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The module's one-byte MSG_PEEK right after connect: data or "nothing yet" is alive; an orderly
    /// close (0 bytes) or a reset means the peer accepted and dropped us at once.
    /// </summary>
    private static ProbeResult PeekAfterConnect(Socket socket)
    {
        socket.Blocking = false;
        Span<byte> one = stackalloc byte[1];
        var n = socket.Receive(one, SocketFlags.Peek, out var error);
        if (error == SocketError.WouldBlock || (error == SocketError.Success && n > 0)) return ProbeResult.Ok("connected");
        if (error == SocketError.Success) return ProbeResult.Fail(ProbeReason.Closed, "peer closed the connection at once");
        return FromSocketError(error, "peek");
    }

    private static async Task<ProbeResult> HttpAsync(Stream stream, ProbeDefinition probe, CancellationToken ct)
    {
        await using var _ = stream.ConfigureAwait(false);
        var request = HttpCheckRequest.Build(probe.HttpSend, probe.HostHeader);
        await stream.WriteAsync(request, ct).ConfigureAwait(false);
        await stream.FlushAsync(ct).ConfigureAwait(false);

        var buffer = new byte[1024];
        var filled = 0;
        while (true)
        {
            var n = filled < buffer.Length ? await stream.ReadAsync(buffer.AsMemory(filled), ct).ConfigureAwait(false) : 0;
            filled += n;
            var complete = n == 0;
            switch (HttpStatusLine.TryParse(buffer.AsSpan(0, filled), complete, out var status))
            {
                case HttpStatusLine.Parse.Ok:
                    return probe.ExpectAlive.Accepts(status)
                        ? ProbeResult.Ok($"http {status}", status)
                        : ProbeResult.Fail(ProbeReason.HttpStatus, $"http status {status} not in check_http_expect_alive", status);
                case HttpStatusLine.Parse.Invalid:
                    return filled == 0
                        ? ProbeResult.Fail(ProbeReason.Closed, "connection closed before a status line")
                        : ProbeResult.Fail(ProbeReason.BadResponse, "response is not an HTTP status line");
                default:
                    if (complete) return ProbeResult.Fail(ProbeReason.Closed, "connection closed before a full status line");
                    break;
            }
        }
    }

    private static async Task<ProbeResult> TlsAsync(Socket socket, ProbeDefinition probe, bool verify, CancellationToken ct)
    {
        await using var tls = await HandshakeAsync(socket, probe, verify, ct).ConfigureAwait(false);
        return ProbeResult.Ok($"tls {tls.SslProtocol}");
    }

    private static async Task<ProbeResult> HttpsAsync(Socket socket, ProbeDefinition probe, CancellationToken ct)
    {
        var tls = await HandshakeAsync(socket, probe, probe.TlsVerify, ct).ConfigureAwait(false);
        return await HttpAsync(tls, probe, ct).ConfigureAwait(false);
    }

    private static async Task<SslStream> HandshakeAsync(Socket socket, ProbeDefinition probe, bool verify, CancellationToken ct)
    {
        var stream = new SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        string? rejected = null;
        var options = HandshakeOptions(probe, verify, reason => rejected = reason);
        try
        {
            await stream.AuthenticateAsClientAsync(options, ct).ConfigureAwait(false);
            return stream;
        }
        catch (AuthenticationException e) when (probe.Tls is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new AuthenticationException(rejected ?? probe.Tls.DescribeHandshakeFailure(e), e);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// With the upstream's settings, the check verifies exactly when the proxy does (and then with its trusted
    /// certificates, name and depth), sends SNI, protocols and client certificate as the proxy does; ssl_verify=true
    /// on an upstream that does not verify still checks against the system's roots.
    /// </summary>
    private static SslClientAuthenticationOptions HandshakeOptions(ProbeDefinition probe, bool verify, Action<string> rejected)
    {
        if (probe.Tls is { } tls)
        {
            var options = tls.ClientOptions(probe.Host, rejected);
            if (verify && !tls.Verify)
            {
                options.TargetHost = TlsServerName(probe) ?? probe.Host;
                options.RemoteCertificateValidationCallback = null;
            }
            return options;
        }
        return new SslClientAuthenticationOptions
        {
            // An empty name sends no SNI (what ssl_hello does); .NET never sends an IP address as SNI.
            TargetHost = TlsServerName(probe) ?? (verify ? probe.Host : ""),
            RemoteCertificateValidationCallback = verify ? null : static (_, _, _, _) => true,
        };
    }

    /// <summary>The Host header without its port, else the server's host when it is a name.</summary>
    internal static string? TlsServerName(ProbeDefinition probe)
    {
        if (!string.IsNullOrEmpty(probe.HostHeader))
        {
            var h = probe.HostHeader;
            if (h.StartsWith('[')) return null;
            var colon = h.LastIndexOf(':');
            return colon > 0 ? h[..colon] : h;
        }
        return IPAddress.TryParse(probe.Host.Trim('[', ']'), out _) ? null : probe.Host;
    }

    private static ProbeResult FromSocketError(SocketError error, string phase) => error switch
    {
        SocketError.ConnectionRefused => ProbeResult.Fail(ProbeReason.Refused, "connection refused"),
        SocketError.ConnectionReset or SocketError.ConnectionAborted => ProbeResult.Fail(ProbeReason.Reset, $"connection reset ({phase})"),
        SocketError.Shutdown or SocketError.NotConnected => ProbeResult.Fail(ProbeReason.Closed, $"connection closed ({phase})"),
        SocketError.TimedOut => ProbeResult.Fail(ProbeReason.Timeout, $"timed out ({phase})"),
        SocketError.HostUnreachable or SocketError.NetworkUnreachable or SocketError.HostNotFound or SocketError.NetworkDown
            or SocketError.HostDown or SocketError.AddressNotAvailable => ProbeResult.Fail(ProbeReason.Unreachable, $"{error} ({phase})"),
        _ => ProbeResult.Fail(ProbeReason.Error, $"{error} ({phase})"),
    };
}
