using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Configuration;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Hooks;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Observability;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.Scanning;
using SaltHaGateway.Sync.State;
using SaltHaGateway.Sync.Transport;
using SaltHaGateway.Sync.Watching;

namespace SaltHaGateway.Sync.Hosting;

/// <summary>
/// The config-sync background service: watcher hints → coalescer → scanner → change log, a peer
/// endpoint serving that log, and one puller per peer applying theirs. One gate serialises every
/// index mutation (scan commits and applies).
/// </summary>
public sealed partial class SyncEngine : BackgroundService, ISyncHealth
{
    private static readonly TimeSpan HousekeepingInterval = TimeSpan.FromSeconds(5);
    private readonly ConfigSyncOptions _options;
    private readonly SyncEngineSettings _settings;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger<SyncEngine> _logger;
    private readonly SyncMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<WatchEvent> _events = Channel.CreateUnbounded<WatchEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Dictionary<string, DateTimeOffset> _lastFullScan = new();
    private NodeIdentity? _identity;
    private SyncStateStore? _store;
    private RootRegistry? _roots;
    private List<PeerLink> _links = [];
    private PeerServer? _server;
    private HookRunner? _hooks;
    private volatile bool _localHooksArmed;
    private volatile bool _running;

    internal SyncEngine(ConfigSyncOptions options, SyncEngineSettings settings, TimeProvider time, ILoggerFactory loggers, SyncMetrics metrics)
    {
        _options = options;
        _settings = settings;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<SyncEngine>();
        _metrics = metrics;
    }

    public bool IsHealthy => _running && _roots is { } r && r.All.All(x => r.PauseReason(x.Id) is null);

    /// <summary>Where the peer endpoint actually listens (port 0 resolved).</summary>
    public Uri? PeerEndpoint => _server?.BoundAddress;

    public string? NodeId => _identity?.NodeId;

    /// <summary>This gateway's summary as JSON, served to pinned peers at <see cref="SyncProtocol.NodeStatusPath"/>
    /// (so a pair-wide status needs no new port and no new trust). Set by the host before start.</summary>
    public Func<byte[]?>? NodeStatus { get; set; }

    private readonly List<IPeerChannel> _channels = [];

    /// <summary>Shares a channel with every peer (served to them, and followed on each of them). Before start.</summary>
    public void AddChannel(IPeerChannel channel)
    {
        if (_running) throw new InvalidOperationException("channels are added before the service starts");
        if (channel.Name.Length == 0 || !channel.Name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
            throw new ArgumentException($"invalid channel name \"{channel.Name}\"", nameof(channel));
        _channels.Add(channel);
    }

    /// <summary>Each peer's summary (raw JSON), or why it could not be read.</summary>
    public async Task<IReadOnlyList<(string Url, string? NodeId, string? Json, string? Error)>> FetchPeerStatusAsync(TimeSpan timeout, CancellationToken ct)
    {
        var links = _links;
        var reads = links.Select(async l =>
        {
            try
            {
                return (l.Url.ToString(), (string?)l.NodeId, (string?)await l.GetNodeStatusAsync(timeout, ct).ConfigureAwait(false), (string?)null);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException or IOException)
            {
                return (l.Url.ToString(), l.NodeId, null, e is OperationCanceledException ? "no answer within " + timeout.TotalSeconds + " s" : e.Message);
            }
        });
        return await Task.WhenAll(reads).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(_options.StateDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        _identity = NodeIdentity.Load(_options.StateDirectory);
        using var store = new SyncStateStore(Path.Combine(_options.StateDirectory, "index.db"));
        _store = store;
        var log = new ChangeLog(store);
        _roots = new RootRegistry(_options.EffectiveRoots.Select(r => new SyncRoot(r, (_settings.RootPrefix ?? "") + r)));
        var ignore = new IgnoreRules(_options.Ignore ?? []);
        var scanner = new TreeScanner(store, ignore, _identity.NodeId, _options.MaxFileBytes, _options.AllowSymlinksOutsideRoots,
            _time, _loggers.CreateLogger<TreeScanner>());
        var hooks = _hooks = new HookRunner((_options.Hooks ?? []).ToDictionary(h => Enum.Parse<PathClass>(h.Key), h => h.Value), _time,
            _loggers.CreateLogger<HookRunner>());
        var disk = new DiskWriter(_options.MaxFileBytes);
        var conflictDirectory = Path.Combine(_options.StateDirectory, "conflicts");
        var applier = new ChangeApplier(_roots, log, scanner, disk,
            new ConflictStore(conflictDirectory, _time), ignore, _options.MaxFileBytes,
            _options.AllowSymlinksOutsideRoots, _time, _metrics, _loggers.CreateLogger<ChangeApplier>(), c => hooks.Notify(c));

        _resolver = new ConflictResolver(_roots, log, scanner, disk, conflictDirectory, _options.MaxFileBytes, _time);

        foreach (var root in _roots.All)
        {
            if (root.PlaceStagingOnRootMount()) LogStagingInsideRoot(root.Id, root.StagingPath);
            CleanStaging(root);
        }
        var peers = (_options.Peers ?? []).Select(p => (Url: new Uri(p.Url!), Fingerprint: ConfigSyncOptionsValidator.NormalizeFingerprint(p.Fingerprint)!)).ToList();
        using var watcher = new InotifyWatcher(_roots.All, ignore, _events.Writer, _loggers.CreateLogger<InotifyWatcher>(),
            _settings.WatcherReadGate);
        watcher.Start(); // before the first scan, so nothing written during it is missed

        await ScanAllAsync(scanner, log, ct).ConfigureAwait(false);
        _localHooksArmed = true; // what the first scan found was there before this start, not an edit

        _server = new PeerServer(new Uri(_options.Listen!), _identity, peers.ToDictionary(p => p.Fingerprint, p => NodeIdentity.NodeIdOf(p.Fingerprint)),
            log, _roots, _metrics, _time, _loggers, () => NodeStatus?.Invoke(), _channels);
        await _server.StartAsync(ct).ConfigureAwait(false);
        _links = peers.Select(p => new PeerLink(p.Url, p.Fingerprint, _identity, store, applier, _gate, _roots, _metrics, _time,
            _loggers.CreateLogger<PeerLink>()) { PollWait = _settings.PollWait, BatchSize = _settings.BatchSize }).ToList();
        var tasks = _links.Select(l => Task.Run(() => l.RunAsync(ct), CancellationToken.None)).ToList();
        foreach (var link in _links)
        {
            foreach (var channel in _channels) tasks.Add(Task.Run(() => link.RunChannelAsync(channel, ct), CancellationToken.None));
        }
        tasks.Add(Task.Run(() => hooks.RunAsync(ct), CancellationToken.None));
        _running = true;
        LogStarted(_identity.NodeId, _roots.All.Count, _links.Count);
        try
        {
            await MainLoopAsync(scanner, log, peers.Select(p => NodeIdentity.NodeIdOf(p.Fingerprint)).ToList(), ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested) { }
        finally
        {
            _running = false;
            await Task.WhenAll(tasks).ConfigureAwait(false);
            foreach (var l in _links) l.Dispose();
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task MainLoopAsync(TreeScanner scanner, ChangeLog log, List<string> peerNodes, CancellationToken ct)
    {
        var coalescer = new ChangeCoalescer<(string Root, string Path)>(_time,
            TimeSpan.FromMilliseconds(_options.QuietMilliseconds), TimeSpan.FromMilliseconds(_options.MaxDelayMilliseconds));
        var recursive = new HashSet<(string, string)>();
        var written = new HashSet<(string, string)>();
        var rescanEvery = TimeSpan.FromSeconds(_options.RescanIntervalSeconds);
        var lastRescan = _time.GetTimestamp();
        var lastHousekeeping = _time.GetTimestamp();
        var reader = _events.Reader;
        while (!ct.IsCancellationRequested)
        {
            var untilRescan = rescanEvery - _time.GetElapsedTime(lastRescan);
            var wait = coalescer.UntilNextDue() is { } due && due < untilRescan ? due : untilRescan;
            if (wait > TimeSpan.Zero && !reader.TryPeek(out _))
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                // Wake for housekeeping too: it closes conflicts a peer's resolution has settled.
                timeout.CancelAfter(wait < HousekeepingInterval ? wait : HousekeepingInterval);
                try
                {
                    await reader.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested) { }
            }

            var fullScan = new HashSet<string>();
            while (reader.TryRead(out var ev))
            {
                switch (ev.Kind)
                {
                    case WatchEventKind.Overflow:
                        _metrics.WatcherOverflows.Inc();
                        foreach (var r in _roots!.All) fullScan.Add(r.Id);
                        break;
                    case WatchEventKind.RootChanged:
                        fullScan.Add(ev.Root);
                        break;
                    default:
                        coalescer.Touch((ev.Root, ev.Path.Value));
                        if (ev.Recursive) recursive.Add((ev.Root, ev.Path.Value));
                        if (ev.ContentWritten) written.Add((ev.Root, ev.Path.Value));
                        break;
                }
            }
            if (_time.GetElapsedTime(lastRescan) >= rescanEvery)
            {
                foreach (var r in _roots!.All) fullScan.Add(r.Id);
                lastRescan = _time.GetTimestamp();
            }
            if (fullScan.Count > 0) await ScanAllAsync(scanner, log, ct, fullScan).ConfigureAwait(false);

            var dueKeys = coalescer.TakeDue();
            if (dueKeys.Count > 0)
            {
                await _gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    foreach (var group in dueKeys.GroupBy(k => k.Root))
                    {
                        var root = _roots!.Find(group.Key);
                        if (root is null) continue;
                        var all = scanner.ScanHints(root, group.Select(k => (RelativePath.Parse(k.Path), recursive.Remove(k), written.Remove(k))).ToList());
                        foreach (var u in all.Unstable)
                        {
                            coalescer.Touch((root.Id, u.Value));
                            written.Add((root.Id, u.Value)); // it was being written while we read it
                        }
                        Commit(root, all, log);
                    }
                }
                finally
                {
                    _gate.Release();
                }
            }

            if (_time.GetElapsedTime(lastHousekeeping) >= HousekeepingInterval)
            {
                lastHousekeeping = _time.GetTimestamp();
                Housekeeping(peerNodes);
            }
        }
    }

    private async Task ScanAllAsync(TreeScanner scanner, ChangeLog log, CancellationToken ct, HashSet<string>? only = null)
    {
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        int examined = 0;
        try
        {
            foreach (var root in _roots!.All)
            {
                if (only is not null && !only.Contains(root.Id)) continue;
                // Versions of never-seen paths are committed every 5,000 while the walk goes on: the first
                // indexing of a large tree never holds all of them at once.
                var result = scanner.ScanRoot(root, chunk => Written(root, log.Append(chunk)));
                examined += result.Examined;
                Commit(root, result, log);
                if (result.PauseReason is null)
                {
                    _lastFullScan[root.Id] = _time.GetUtcNow();
                    _metrics.LastFullScan.WithLabels(root.Id).Set(_time.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0);
                }
            }
        }
        finally
        {
            _gate.Release();
        }
        // A full scan of a large tree builds a transient copy of the index; hand that memory back
        // to the system instead of keeping it until the next scan (the service is idle in between).
        if (examined > 5000) GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private void Commit(SyncRoot root, ScanResult result, ChangeLog log)
    {
        if (result.PauseReason is not null)
        {
            if (_roots!.SetPaused(root.Id, result.PauseReason))
            {
                LogRootPaused(root.Id, result.PauseReason);
                _metrics.Alerts.WithLabels("root_paused").Inc();
            }
            _metrics.RootPaused.WithLabels(root.Id).Set(1);
            return;
        }
        if (_roots!.PauseReason(root.Id) is not null)
        {
            _roots.SetPaused(root.Id, null);
            _metrics.RootPaused.WithLabels(root.Id).Set(0);
            _store!.ResetReceivedSequences(); // re-read peers' logs: entries skipped while paused are applied now
            LogRootResumed(root.Id);
        }
        else _metrics.RootPaused.WithLabels(root.Id).Set(0);
        var written = log.Append(result.NewVersions, result.HintUpdates);
        Written(root, written.Take(result.NewVersions.Count));
    }

    /// <summary>New local versions: logged, and handed to hooks that run on local changes.</summary>
    private void Written(SyncRoot root, IEnumerable<FileEntry> written)
    {
        bool log = _logger.IsEnabled(LogLevel.Debug);
        if (!log && !_localHooksArmed) return;
        foreach (var e in written)
        {
            if (log) LogLocalChange(root.Display(e.Path), e.Describe(), e.Version.ToString(), e.Sequence);
            if (_localHooksArmed) _hooks?.Notify(PathClassifier.Classify(root.Id, e.Path), local: true);
        }
    }

    /// <summary>Temp files of transfers cut short by a crash; they never were visible in a served tree.</summary>
    private static void CleanStaging(SyncRoot root)
    {
        if (!Directory.Exists(root.StagingPath)) return;
        foreach (var f in Directory.EnumerateFileSystemEntries(root.StagingPath, ".*.tmp"))
        {
            try { File.Delete(f); } catch (IOException) { }
        }
    }

    private void Housekeeping(List<string> peerNodes)
    {
        var store = _store!;
        long minAcked = long.MaxValue;
        foreach (var node in peerNodes)
        {
            var p = store.GetPeer(node);
            minAcked = Math.Min(minAcked, p.AckedSequence);
            _metrics.PendingChanges.WithLabels(node).Set(store.CountPendingFor(node, p.AckedSequence));
        }
        if (peerNodes.Count > 0 && minAcked > 0)
        {
            var cutoff = (_time.GetUtcNow() - TimeSpan.FromDays(_options.TombstoneMinAgeDays)).ToUnixTimeMilliseconds() * 1_000_000L;
            var n = store.CollectTombstones(minAcked, cutoff);
            if (n > 0) LogTombstonesCollected(n);
        }
        CloseSupersededConflicts();
    }

    public SyncStatus GetStatus()
    {
        if (!_running || _store is null || _roots is null || _identity is null)
            return new SyncStatus(true, _identity?.NodeId, _identity?.Fingerprint, false, 0, [], [], []);
        var store = _store;
        CloseSupersededConflicts();
        var conflicts = store.ListConflicts(50);
        var peers = _links.Select(l =>
        {
            var p = store.GetPeer(l.NodeId);
            return new PeerStatus(l.Url.ToString(), l.NodeId, l.Connected, l.LastSeen, p.AckedSequence, p.ReceivedSequence,
                store.CountPendingFor(l.NodeId, p.AckedSequence), l.LastError);
        }).ToList();
        var roots = _roots.All.Select(r =>
        {
            var pending = _links.Sum(l => store.CountPendingFor(l.NodeId, store.GetPeer(l.NodeId).AckedSequence, r.Id));
            var open = conflicts.Count(c => c.Root == r.Id && c.Open);
            var pause = _roots.PauseReason(r.Id);
            var state = pause is not null ? "paused" : open > 0 ? "conflict" : pending > 0 ? "pending" : "in-sync";
            return new RootStatus(r.Id, state, pause, pending, open, _lastFullScan.TryGetValue(r.Id, out var t) ? t : null);
        }).ToList();
        return new SyncStatus(true, _identity.NodeId, _identity.Fingerprint, IsHealthy, store.MaxSequence, roots, peers, conflicts);
    }
}
