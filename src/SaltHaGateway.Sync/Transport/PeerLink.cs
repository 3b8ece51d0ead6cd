using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Observability;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Transport;

/// <summary>
/// Pulls one peer's change log ("everything after sequence N", long-polled) and applies it.
/// Progress is saved only after the entries up to it were handled, so a crash or a dead link
/// replays from the last durable point; the peer learns our position from the next request.
/// </summary>
internal sealed partial class PeerLink : IContentSource, IDisposable
{
    private readonly Uri _baseUrl;
    private readonly string _fingerprint;
    private readonly HttpClient _http;
    private readonly SyncStateStore _store;
    private readonly ChangeApplier _applier;
    private readonly SemaphoreSlim _gate;
    private readonly RootRegistry _roots;
    private readonly SyncMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public PeerLink(Uri baseUrl, string fingerprint, NodeIdentity identity, SyncStateStore store, ChangeApplier applier,
        SemaphoreSlim gate, RootRegistry roots, SyncMetrics metrics, TimeProvider time, ILogger logger)
    {
        _baseUrl = baseUrl;
        _fingerprint = fingerprint;
        NodeId = NodeIdentity.NodeIdOf(fingerprint);
        _store = store;
        _applier = applier;
        _gate = gate;
        _roots = roots;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificates = new X509CertificateCollection { identity.Certificate },
                LocalCertificateSelectionCallback = (_, _, _, _, _) => identity.Certificate,
                RemoteCertificateValidationCallback = (_, cert, _, _) => cert is not null && NodeIdentity.FingerprintOf(cert) == _fingerprint,
            },
        };
        _http = new HttpClient(handler)
        {
            BaseAddress = baseUrl,
            Timeout = TimeSpan.FromSeconds(90),
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
    }

    public string NodeId { get; }
    public Uri Url => _baseUrl;
    public bool Connected { get; private set; }
    public DateTimeOffset? LastSeen { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>How long a long-poll waits for new changes on the peer.</summary>
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(25);

    /// <summary>Entries asked for per request.</summary>
    public int BatchSize { get; init; } = 2000;

    public async Task RunAsync(CancellationToken ct)
    {
        var backoff = TimeSpan.FromMilliseconds(250);
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await SessionAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException
                                         or System.Text.Json.JsonException or AuthenticationException)
            {
                if (Connected || LastError != e.Message) LogPeerDown(_baseUrl.ToString(), e.Message);
                LastError = e.Message;
                SetConnected(false);
            }
            try
            {
                await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
        SetConnected(false);
    }

    private async Task SessionAsync(CancellationToken ct)
    {
        var hello = WireChecks.Hello(
            await _http.GetFromJsonAsync(SyncProtocol.HelloPath, WireJsonContext.Default.HelloResponse, ct).ConfigureAwait(false));
        await Task.Yield(); // off the socket engine thread before the index is read (see below)
        if (hello.Protocol != SyncProtocol.Version)
            throw new InvalidDataException($"peer speaks sync protocol {hello.Protocol}, this node {SyncProtocol.Version}");
        if (hello.NodeId != NodeId) throw new InvalidDataException($"peer says it is node {hello.NodeId}, its certificate says {NodeId}");
        var missing = _roots.All.Select(r => r.Id).Except(hello.Roots).ToList();
        if (missing.Count > 0) LogRootsDiffer(_baseUrl.ToString(), string.Join(", ", missing));
        SetConnected(true);
        LastError = null;

        // While a full batch is applied, the next one is already on its way (asked for with the durable
        // position as the acknowledgement), so transfer and apply overlap during a large catch-up.
        (long Since, string Index, Task<ChangesResponse> Response)? ahead = null;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var progress = _store.GetPeer(NodeId);
                if (progress.PeerIndexId is null || progress.PeerIndexId != hello.IndexId)
                {
                    progress = progress with { PeerIndexId = hello.IndexId, ReceivedSequence = 0 };
                    _store.SavePeer(progress);
                }
                var since = progress.ReceivedSequence;
                Task<ChangesResponse> pending;
                if (ahead is { } a && a.Since == since && a.Index == progress.PeerIndexId) pending = a.Response;
                else
                {
                    if (ahead is { } stale) await DiscardAsync(stale.Response).ConfigureAwait(false);
                    pending = FetchAsync(since, since, progress.PeerIndexId, PollWait, ct);
                }
                ahead = null;
                var response = await pending.ConfigureAwait(false);
                // With inline socket completions this continuation runs on a socket engine thread; the index and the
                // file writes below block, so move to the thread pool before them.
                await Task.Yield();
                LastSeen = _time.GetUtcNow();
                if (response.IndexId != progress.PeerIndexId)
                {
                    hello = hello with { IndexId = response.IndexId };
                    continue;
                }
                if (response.Entries.Count > 0 && response.Next < response.MaxSequence)
                    ahead = (response.Next, progress.PeerIndexId, FetchAsync(response.Next, since, progress.PeerIndexId, TimeSpan.Zero, ct));
                var (reached, retry) = await ApplyAsync(response, since, ct).ConfigureAwait(false);
                _store.SavePeer(_store.GetPeer(NodeId) with
                {
                    ReceivedSequence = reached,
                    LastSeenNs = LastSeen.Value.ToUnixTimeMilliseconds() * 1_000_000L,
                });
                if (retry) await Task.Delay(TimeSpan.FromSeconds(1), _time, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            if (ahead is { } left) await DiscardAsync(left.Response).ConfigureAwait(false);
        }
    }

    private async Task<ChangesResponse> FetchAsync(long since, long ack, string index, TimeSpan wait, CancellationToken ct)
    {
        var url = $"{SyncProtocol.ChangesPath}?since={since}&ack={ack}&index={index}&wait={(int)wait.TotalMilliseconds}&limit={BatchSize}";
        return WireChecks.Changes(await _http.GetFromJsonAsync(url, WireJsonContext.Default.ChangesResponse, ct).ConfigureAwait(false));
    }

    /// <summary>A read-ahead that is not used (the batch before it stopped early): wait for it, ignore its outcome.</summary>
    private static async Task DiscardAsync(Task<ChangesResponse> response)
    {
        try
        {
            await response.ConfigureAwait(false);
        }
        catch (Exception) when (response.IsFaulted || response.IsCanceled)
        {
        }
    }

    private async Task<(long Reached, bool Retry)> ApplyAsync(ChangesResponse response, long from, CancellationToken ct)
    {
        if (response.Entries.Count == 0) return (Math.Max(from, response.Next), false);
        var rootIds = _roots.All.Select(r => r.Id).ToList();
        long reached = from;
        bool retry = false;
        var handled = new List<long>();
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            _applier.BeginBatch();
            foreach (var wire in response.Entries)
            {
                if (!WireEntryParser.TryParse(wire, rootIds, out var change, out var error))
                {
                    LogBadEntry(_baseUrl.ToString(), wire.Seq, error);
                    handled.Add(wire.Seq);
                    continue;
                }
                var outcome = await _applier.ApplyAsync(NodeId, change!, this, ct).ConfigureAwait(false);
                if (outcome == ApplyOutcome.Retry)
                {
                    retry = true;
                    break;
                }
                handled.Add(change!.Entry.Sequence);
            }
        }
        finally
        {
            // Always finish what was staged (also on cancellation): renames, fsyncs, index.
            var failedAt = _applier.CompleteBatch();
            if (failedAt is { } f)
            {
                retry = true;
                handled = handled.TakeWhile(s => s != f).ToList();
            }
            _gate.Release();
        }
        if (handled.Count > 0) reached = Math.Max(reached, handled[^1]);
        if (retry) return (reached, true);
        return (Math.Max(reached, response.Next), false);
    }

    public async Task<Stream> OpenAsync(Core.FileEntry entry, CancellationToken ct)
    {
        var url = $"{SyncProtocol.ContentPath}?root={Uri.EscapeDataString(entry.Root)}&path={Uri.EscapeDataString(entry.Path.Value)}&sha256={entry.Sha256}";
        var response = await _http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            throw new HttpRequestException($"content of {entry.Root}/{entry.Path} no longer available on the peer ({(int)response.StatusCode})");
        }
        return await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
    }

    private void SetConnected(bool value)
    {
        if (value && !Connected) LogPeerUp(_baseUrl.ToString(), NodeId);
        Connected = value;
        _metrics.PeerConnected.WithLabels(NodeId).Set(value ? 1 : 0);
    }

    /// <summary>
    /// Follows one <see cref="IPeerChannel"/> of the peer for as long as the service runs: long-polls for changes and
    /// applies them; after an error it waits (250 ms, doubling to 5 s) and asks again from the last good cursor.
    /// </summary>
    public async Task RunChannelAsync(IPeerChannel channel, CancellationToken ct)
    {
        string? cursor = null;
        var backoff = TimeSpan.FromMilliseconds(250);
        string? lastError = null;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var url = $"{SyncProtocol.ChannelPath}/{channel.Name}?wait={(int)PollWait.TotalMilliseconds}"
                          + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
                var body = await _http.GetByteArrayAsync(url, ct).ConfigureAwait(false);
                await Task.Yield();
                cursor = channel.Apply(NodeId, body);
                backoff = TimeSpan.FromMilliseconds(250);
                lastError = null;
                continue;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException or AuthenticationException)
            {
                if (e is InvalidDataException || lastError != e.Message) LogChannelError(channel.Name, _baseUrl.ToString(), e.Message);
                lastError = e.Message;
            }
            try
            {
                await Task.Delay(backoff, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { break; }
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
        }
    }

    /// <summary>The peer gateway's summary over this link's mutually authenticated connection.</summary>
    public async Task<string> GetNodeStatusAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        return await _http.GetStringAsync(SyncProtocol.NodeStatusPath, cts.Token).ConfigureAwait(false);
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(EventId = 4401, Level = LogLevel.Information, Message = "Peer {Url} (node {Node}) connected")]
    private partial void LogPeerUp(string url, string node);

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "Peer {Url} unreachable or refused: {Error}")]
    private partial void LogPeerDown(string url, string error);

    [LoggerMessage(EventId = 4403, Level = LogLevel.Warning, Message = "Refused entry seq {Seq} from {Url}: {Error}")]
    private partial void LogBadEntry(string url, long seq, string error);

    [LoggerMessage(EventId = 4405, Level = LogLevel.Warning, Message = "Channel {Channel} from peer {Url}: {Error}")]
    private partial void LogChannelError(string channel, string url, string error);

    [LoggerMessage(EventId = 4404, Level = LogLevel.Warning, Message = "Peer {Url} does not serve roots {Roots}")]
    private partial void LogRootsDiffer(string url, string roots);
}
