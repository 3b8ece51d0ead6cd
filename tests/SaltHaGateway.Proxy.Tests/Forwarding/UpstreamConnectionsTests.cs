using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Text;
using SaltHaGateway.Proxy.Forwarding;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Tests.Forwarding;

/// <summary>
/// The connection tracking that lets a health change close idle upstream connections must not keep connections
/// alive by itself: a reload that replaces a cluster's HTTP client abandons the old handler, and its pooled
/// connections have to go with it (found by bench/soak: one socket per replaced client, kept open for the life of
/// the process, ending in CLOSE-WAIT).
/// </summary>
public sealed class UpstreamConnectionsTests : IAsyncLifetime
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly UpstreamConnections _connections = new(new NoActiveHealthChecks(), TimeProvider.System);

    public Task InitializeAsync()
    {
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        _listener.Stop();
        _listener.Dispose();
        return Task.CompletedTask;
    }

    private int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    private string Server => $"127.0.0.1:{Port}";

    [Fact]
    public async Task A_connection_of_an_abandoned_handler_is_closed_once_the_handler_is_collected()
    {
        // One request through a handler as the gateway's client factory builds it, answered with keep-alive.
        var accepted = await RequestThroughAbandonedHandlerAsync();
        Assert.Equal(1, _connections.Count(Server));

        // The handler is unreachable now (as after a reload that replaced it); nothing else may hold its socket.
        var buffer = new byte[1];
        var closed = accepted.ReceiveAsync(buffer);
        for (var i = 0; i < 50 && !closed.IsCompleted; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.WhenAny(closed, Task.Delay(100));
        }
        Assert.True(closed.IsCompleted, "the upstream connection of an abandoned handler is still open");
        // The collected socket's handle closes it abortively: the upstream sees a reset (or, racing, an end of stream).
        var error = await Record.ExceptionAsync(async () => Assert.Equal(0, await closed));
        Assert.True(error is null or SocketException { SocketErrorCode: SocketError.ConnectionReset }, error?.ToString());
        Assert.Equal(0, _connections.Count(Server));
        accepted.Dispose();
    }

    [Fact]
    public async Task Idle_connections_of_a_server_are_closed_on_request_while_their_handler_lives()
    {
        using var handler = Handler();
        using var invoker = new HttpMessageInvoker(handler);
        var serve = ServeOneAsync();
        using (var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{Server}/"), CancellationToken.None))
        {
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }
        using var accepted = await serve;
        Assert.Equal(1, _connections.Count(Server));

        await Task.Delay(UpstreamConnections.QuietPeriod + TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, _connections.CloseIdle(Server));
        var buffer = new byte[1];
        Assert.Equal(0, await accepted.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, _connections.Count(Server));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private async Task<Socket> RequestThroughAbandonedHandlerAsync()
    {
        var invoker = new HttpMessageInvoker(Handler());
        var serve = ServeOneAsync();
        using (var response = await invoker.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"http://{Server}/"), CancellationToken.None))
        {
            Assert.Equal("ok", await response.Content.ReadAsStringAsync());
        }
        return await serve;   // the invoker is dropped here without Dispose, as YARP drops a replaced client
    }

    private SocketsHttpHandler Handler() => new()
    {
        UseProxy = false,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(10),   // the pool's own cleanup must not be what closes it
        ConnectCallback = (context, ct) => _connections.ConnectAsync(context, null, ct),
    };

    /// <summary>Accepts one connection, reads one request, answers 200 "ok" and keeps the connection open.</summary>
    private async Task<Socket> ServeOneAsync()
    {
        var socket = await _listener.AcceptSocketAsync();
        var buffer = new byte[4096];
        var request = new StringBuilder();
        while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await socket.ReceiveAsync(buffer);
            if (n == 0) throw new IOException("client closed before sending a request");
            request.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        await socket.SendAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\nok"u8.ToArray());
        return socket;
    }
}
