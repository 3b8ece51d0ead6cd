using System.Net;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>An upstream on a real loopback socket that answers with what it received (method, path, headers, body
/// length) as JSON, and echoes WebSocket messages on /ws.</summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Counter _requests;

    private sealed class Counter
    {
        public int Value;
    }

    private EchoUpstream(WebApplication app, int port, Counter requests)
    {
        _app = app;
        _requests = requests;
        Port = port;
    }

    public int Port { get; }
    public string Address => $"http://127.0.0.1:{Port}";

    /// <summary>HTTP requests received so far (WebSocket sessions included).</summary>
    public int Requests => Volatile.Read(ref _requests.Value);

    public static async Task<EchoUpstream> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => { k.Listen(IPAddress.Loopback, 0); k.Limits.MaxRequestBodySize = null; });
        var app = builder.Build();
        var requests = new Counter();
        app.Use((context, next) => { Interlocked.Increment(ref requests.Value); return next(context); });
        app.UseWebSockets();
        app.Map("/ws", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest) { context.Response.StatusCode = 400; return; }
            using var socket = await context.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[4096];
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                    return;
                }
                await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, CancellationToken.None);
            }
        });
        app.Map("/{**path}", async (HttpContext context) =>
        {
            long length = 0;
            var buffer = new byte[8192];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer)) > 0) length += n;
            return Results.Json(new
            {
                method = context.Request.Method,
                path = context.Request.Path.Value + context.Request.QueryString.Value,
                headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()),
                bodyLength = length,
            });
        });
        await app.StartAsync();
        return new EchoUpstream(app, new Uri(app.Urls.First()).Port, requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
