using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Observability;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Transport;

/// <summary>
/// The peer endpoint: its own Kestrel server (never the proxy or admin listener), TLS 1.3 only,
/// client certificate required and checked against the pinned fingerprints during the handshake.
/// A connection without a pinned certificate never reaches a handler.
/// </summary>
internal sealed partial class PeerServer(
    Uri listen, NodeIdentity identity, IReadOnlyDictionary<string, string> peerNodeByFingerprint, ChangeLog log,
    RootRegistry roots, SyncMetrics metrics, TimeProvider time, ILoggerFactory loggerFactory, Func<byte[]?>? nodeStatus = null,
    IReadOnlyList<IPeerChannel>? channels = null) : IAsyncDisposable
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<PeerServer>();
    private WebApplication? _app;
    private readonly CancellationTokenSource _stopping = new();

    public Uri? BoundAddress { get; private set; }

    public async Task StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = 1024;
            var address = listen.Host switch
            {
                "localhost" => IPAddress.Loopback,
                "*" or "+" => IPAddress.IPv6Any,
                var h => IPAddress.Parse(h.Trim('[', ']')),
            };
            k.Listen(address, listen.Port, o => o.UseHttps(new HttpsConnectionAdapterOptions
            {
                ServerCertificate = identity.Certificate,
                SslProtocols = SslProtocols.Tls13,
                ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                ClientCertificateValidation = (cert, _, _) => IsPinned(cert),
            }));
        });
        _app = builder.Build();
        _app.Use(async (ctx, next) =>
        {
            // Defence in depth: the handshake already refused unknown certificates.
            var cert = ctx.Connection.ClientCertificate;
            if (cert is null || !IsPinned(cert))
            {
                ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                return;
            }
            await next(ctx);
        });
        _app.MapGet(SyncProtocol.HelloPath, (HttpContext ctx) => Results.Json(
            new HelloResponse(SyncProtocol.Version, identity.NodeId, log.Store.IndexId, log.Store.MaxSequence, roots.All.Select(r => r.Id).ToArray()),
            WireJsonContext.Default.HelloResponse));
        _app.MapGet(SyncProtocol.ChangesPath, ServeChangesAsync);
        _app.MapGet(SyncProtocol.NodeStatusPath, () => nodeStatus?.Invoke() is { } json
            ? Results.Bytes(json, "application/json")
            : Results.NotFound());
        _app.MapGet(SyncProtocol.ContentPath, ServeContentAsync);
        _app.MapGet(SyncProtocol.ChannelPath + "/{name}", ServeChannelAsync);
        await _app.StartAsync(ct).ConfigureAwait(false);
        var bound = _app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BoundAddress = new Uri(bound);
        LogListening(BoundAddress.ToString(), identity.Fingerprint);
    }

    private bool IsPinned(X509Certificate2? cert) =>
        cert is not null && peerNodeByFingerprint.ContainsKey(NodeIdentity.FingerprintOf(cert));

    private string PeerOf(HttpContext ctx) => peerNodeByFingerprint[NodeIdentity.FingerprintOf(ctx.Connection.ClientCertificate!)];

    /// <summary>
    /// <paramref name="since"/> is where to read from; <paramref name="ack"/> is what the peer has made durable
    /// (it may ask for the next batch before the current one is applied). Without ack, since is both.
    /// </summary>
    private async Task<IResult> ServeChangesAsync(HttpContext ctx, long since, long? ack, string? index, int? wait, int? limit)
    {
        var peer = PeerOf(ctx);
        var store = log.Store;
        if (index != store.IndexId) (since, ack) = (0, 0); // the peer's position refers to an older log of ours
        var acked = Math.Clamp(ack ?? since, 0, since);
        var progress = store.GetPeer(peer);
        store.SavePeer(progress with { AckedSequence = acked, LastSeenNs = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L });
        metrics.PendingChanges.WithLabels(peer).Set(store.CountPendingFor(peer, acked));

        var maxWait = TimeSpan.FromMilliseconds(Math.Clamp(wait ?? 0, 0, 60_000));
        var deadline = time.GetTimestamp();
        var take = Math.Clamp(limit ?? 500, 1, 2000);
        var cursor = since;
        var entries = new List<WireEntry>();
        int budget = SyncProtocol.InlineBudgetBytes;
        while (true)
        {
            var batch = store.ChangesSince(cursor, take);
            foreach (var e in batch)
            {
                cursor = e.Sequence;
                if (e.ReceivedFrom == peer) continue; // state-based echo suppression: it came from there
                entries.Add(WireEntryParser.ToWire(e, Inline(e, ref budget)));
                metrics.FilesSent.WithLabels(peer).Inc();
                if (e.Kind == EntryKind.File && !e.Deleted) metrics.BytesSent.WithLabels(peer).Inc(e.Size);
                if (entries.Count >= take || budget <= 0) break;
            }
            if (entries.Count > 0 || batch.Count == take) break;
            var left = maxWait - time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero || ctx.RequestAborted.IsCancellationRequested || _stopping.IsCancellationRequested) break;
            try
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
                await log.WaitForChangeAfterAsync(cursor, left, linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
        }
        return Results.Json(new ChangesResponse(store.IndexId, cursor, store.MaxSequence, entries), WireJsonContext.Default.ChangesResponse);
    }

    private string? Inline(FileEntry e, ref int budget)
    {
        if (e.Deleted || e.Kind != EntryKind.File || e.Size > SyncProtocol.InlineMaxBytes || e.Size > budget) return null;
        var root = roots.Find(e.Root);
        if (root is null || roots.PauseReason(root.Id) is not null) return null;
        try
        {
            using var stream = DiskWriter.OpenRead(root, e.Path);
            var data = new byte[e.Size];
            stream.ReadExactly(data);
            if (stream.ReadByte() != -1 || Convert.ToHexStringLower(SHA256.HashData(data)) != e.Sha256) return null;
            budget -= data.Length;
            return Convert.ToBase64String(data);
        }
        catch (Exception ex) when (ex is IOException or PathRefusedException or UnauthorizedAccessException)
        {
            return null; // changed or gone since it was indexed; the peer will fetch or get the newer entry
        }
    }

    private async Task<IResult> ServeChannelAsync(HttpContext ctx, string name, string? cursor, int? wait)
    {
        var channel = channels?.FirstOrDefault(c => c.Name == name);
        if (channel is null) return Results.NotFound();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        try
        {
            var body = await channel.ReadAsync(cursor, TimeSpan.FromMilliseconds(Math.Clamp(wait ?? 0, 0, 60_000)), linked.Token).ConfigureAwait(false);
            return Results.Bytes(body, "application/json");
        }
        catch (OperationCanceledException)
        {
            return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
        }
    }

    private IResult ServeContentAsync(HttpContext ctx, string root, string path, string sha256)
    {
        var r = roots.Find(root);
        if (r is null || !RelativePath.TryParse(path, out var rel, out _)) return Results.NotFound();
        var entry = log.Store.Get(r.Id, rel);
        if (entry is null || entry.Deleted || entry.Kind != EntryKind.File || entry.Sha256 != sha256) return Results.StatusCode(StatusCodes.Status409Conflict);
        try
        {
            var stream = DiskWriter.OpenRead(r, rel);
            metrics.BytesSent.WithLabels(PeerOf(ctx)).Inc(entry.Size);
            return Results.Stream(stream, "application/octet-stream");
        }
        catch (Exception ex) when (ex is IOException or PathRefusedException)
        {
            return Results.StatusCode(StatusCodes.Status409Conflict);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            await _app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Peer endpoint listening on {Address}; this node's fingerprint {Fingerprint}")]
    private partial void LogListening(string address, string fingerprint);
}
