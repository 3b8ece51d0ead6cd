using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>An upstream on a real loopback socket that answers with what it received (method, path, headers, body
/// length) as JSON, and echoes WebSocket messages on /ws. Over HTTPS when given a certificate; then the JSON also
/// tells the SNI name the client sent and the subject of its client certificate.</summary>
public sealed class EchoUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Counter _requests;

    private sealed class Counter
    {
        public int Value;
    }

    private EchoUpstream(WebApplication app, int port, Counter requests, bool https)
    {
        _app = app;
        _requests = requests;
        Port = port;
        Scheme = https ? "https" : "http";
    }

    public int Port { get; }
    public string Scheme { get; }
    public string Address => $"{Scheme}://127.0.0.1:{Port}";

    /// <summary>HTTP requests received so far (WebSocket sessions included).</summary>
    public int Requests => Volatile.Read(ref _requests.Value);

    /// <param name="certificate">Serve HTTPS with this certificate (and its key); null serves plain HTTP.</param>
    /// <param name="requireClientCertificate">Refuse a TLS client that presents no certificate (any certificate is accepted).</param>
    /// <param name="protocols">The TLS versions served; null for the platform's default.</param>
    public static async Task<EchoUpstream> StartAsync(X509Certificate2? certificate = null, bool requireClientCertificate = false,
        System.Security.Authentication.SslProtocols? protocols = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, listen =>
            {
                if (certificate is null) return;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    // The selector sees the SNI name the client sent (null for none); kept with the connection.
                    ServerCertificateSelector = (connection, name) =>
                    {
                        if (connection is not null) connection.Items["sni"] = name;
                        return certificate;
                    },
                    ClientCertificateMode = requireClientCertificate ? ClientCertificateMode.RequireCertificate : ClientCertificateMode.NoCertificate,
                    ClientCertificateValidation = (_, _, _) => true,
                    SslProtocols = protocols ?? System.Security.Authentication.SslProtocols.None,
                });
            });
            k.Limits.MaxRequestBodySize = null;
        });
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
                sni = context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue("sni", out var sni) == true ? sni as string : null,
                clientCertificate = context.Connection.ClientCertificate?.Subject,
            });
        });
        await app.StartAsync();
        return new EchoUpstream(app, new Uri(app.Urls.First()).Port, requests, certificate is not null);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
