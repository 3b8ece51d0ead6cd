using System.Runtime.InteropServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Proxy.Observability;
using SaltHaGateway.Proxy.Upstreams;
using Yarp.ReverseProxy.Configuration;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// Watches the config file and applies good edits within a second. A bad edit — malformed or half-written JSON,
/// an unknown cluster, a bad address, an empty or deleted file — keeps the running config, logs every problem and
/// counts a failure. The file's directory is watched (editors save by rename, config maps by symlink swap) and,
/// because watchers miss events on some filesystems, the file's size and time are also compared every second.
/// SIGHUP forces a reload.
/// </summary>
public sealed partial class ConfigFileReloader : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(150);
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    private readonly string _file;
    private readonly GatewayConfigLoader _loader;
    private readonly InMemoryConfigProvider _provider;
    private readonly UpstreamTable _upstreams;
    private readonly ProxyMetrics _metrics;
    private readonly ILogger<ConfigFileReloader> _logger;
    private readonly IEnumerable<IGatewayConfigListener> _listeners;
    private readonly SemaphoreSlim _changed = new(0);
    private (DateTime, long) _lastSeen;

    public ConfigFileReloader(GatewayConfigSource source, GatewayConfigLoader loader, InMemoryConfigProvider provider,
        UpstreamTable upstreams, ProxyMetrics metrics, IEnumerable<IGatewayConfigListener> listeners, ILogger<ConfigFileReloader> logger)
    {
        _listeners = listeners;
        _file = Path.GetFullPath(source.File);
        _loader = loader;
        _provider = provider;
        _upstreams = upstreams;
        _metrics = metrics;
        _logger = logger;
        Current = source.Initial;
        _lastSeen = Stamp();
        _metrics.Generation.Set(Generation);
        _metrics.LastReloadSuccess.Set(1);
        _metrics.ReloadTotal.WithLabels("success").Inc();
    }

    public GatewayProxyConfig Current { get; private set; }

    /// <summary>Tells the listeners about the config in force at start; called once before traffic.</summary>
    public void AnnounceInitial()
    {
        foreach (var listener in _listeners) listener.Applied(Current);
    }
    public int Generation { get; private set; } = 1;
    public DateTimeOffset? LastFailure { get; private set; }
    public IReadOnlyList<ConfigError> LastErrors { get; private set; } = [];

    /// <summary>Raised when a reload begins, before the file is read (systemd's RELOADING=1).</summary>
    public event Action? Reloading;

    /// <summary>Raised when a reload has ended, applied or rejected (systemd's READY=1 again).</summary>
    public event Action? Reloaded;

    /// <summary>Loads the file now and applies it if it is valid; returns the problems found.</summary>
    public async Task<IReadOnlyList<ConfigError>> ReloadAsync(CancellationToken ct = default)
    {
        Reloading?.Invoke();
        try
        {
            return await LoadAndApplyAsync(ct);
        }
        finally
        {
            Reloaded?.Invoke();
        }
    }

    private async Task<IReadOnlyList<ConfigError>> LoadAndApplyAsync(CancellationToken ct)
    {
        _lastSeen = Stamp();
        var (config, errors) = await _loader.LoadAsync(_file, ct);
        if (config is null)
        {
            LastFailure = DateTimeOffset.UtcNow;
            LastErrors = errors;
            _metrics.ReloadTotal.WithLabels("failure").Inc();
            _metrics.LastReloadSuccess.Set(0);
            LogReloadRejected(_logger, _file, errors.Count, Generation);
            foreach (var e in errors) LogReloadProblem(_logger, e.Path, e.Message);
            return errors;
        }
        _metrics.LastReloadSuccess.Set(1);
        LastErrors = [];
        if (config.Revision == Current.Revision) return [];

        _upstreams.Config = config;
        _provider.Update(config.Routes, config.Clusters, config.Revision);
        foreach (var listener in _listeners) listener.Applied(config);
        Current = config;
        Generation++;
        _metrics.Generation.Set(Generation);
        _metrics.ReloadTotal.WithLabels("success").Inc();
        LogReloaded(_logger, _file, Generation, config.Routes.Count, config.Clusters.Count, config.Revision);
        return [];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = CreateWatcher();
        // `kill -HUP` reloads, as with nginx and systemd's ExecReload; also when the gateway was started with SIGHUP
        // ignored (nohup, some init scripts): .NET leaves an ignored signal ignored, so the reload would be lost.
        HangupSignal.StopIgnoring();
        using var hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context => { context.Cancel = true; Signal(); });
        using var poll = new PeriodicTimer(PollInterval);
        var pollTask = PollAsync(poll, stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await _changed.WaitAsync(stoppingToken);
                // Let a burst of writes settle, then read once.
                await Task.Delay(Debounce, stoppingToken);
                while (_changed.CurrentCount > 0) await _changed.WaitAsync(stoppingToken);
                try
                {
                    await ReloadAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogReloadCrashed(_logger, e, _file);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
        await pollTask;
    }

    private async Task PollAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                if (Stamp() != _lastSeen) Signal();
            }
        }
        catch (OperationCanceledException) { }
    }

    private FileSystemWatcher? CreateWatcher()
    {
        try
        {
            var watcher = new FileSystemWatcher(Path.GetDirectoryName(_file)!)
            {
                NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size | NotifyFilters.CreationTime,
            };
            var name = Path.GetFileName(_file);
            FileSystemEventHandler onChange = (_, e) => { if (e.Name == name || e.Name is null) Signal(); };
            watcher.Changed += onChange;
            watcher.Created += onChange;
            watcher.Deleted += onChange;
            watcher.Renamed += (_, e) => { if (e.Name == name || e.OldName == name) Signal(); };
            watcher.Error += (_, _) => Signal();
            watcher.EnableRaisingEvents = true;
            return watcher;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            LogWatcherUnavailable(_logger, _file, e.Message);
            return null;
        }
    }

    private void Signal() => _changed.Release();

    private (DateTime, long) Stamp()
    {
        try
        {
            var info = new FileInfo(_file);
            return info.Exists ? (info.LastWriteTimeUtc, info.Length) : (DateTime.MinValue, -1);
        }
        catch (IOException)
        {
            return (DateTime.MinValue, -1);
        }
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Config {File} applied: generation {Generation}, {Routes} routes, {Clusters} clusters, revision {Revision}")]
    private static partial void LogReloaded(ILogger logger, string file, int generation, int routes, int clusters, string revision);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Error, Message = "Config {File} rejected with {Count} problem(s); generation {Generation} stays in force")]
    private static partial void LogReloadRejected(ILogger logger, string file, int count, int generation);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "  {Path}: {Problem}")]
    private static partial void LogReloadProblem(ILogger logger, string path, string problem);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error, Message = "Config reload of {File} failed unexpectedly; the running config stays in force")]
    private static partial void LogReloadCrashed(ILogger logger, Exception e, string file);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Warning, Message = "Cannot watch {File} for changes ({Reason}); checking it every second instead")]
    private static partial void LogWatcherUnavailable(ILogger logger, string file, string reason);
}

/// <summary>The config file and the config it held at start, validated before the host was built.</summary>
public sealed record GatewayConfigSource(string File, GatewayProxyConfig Initial);
