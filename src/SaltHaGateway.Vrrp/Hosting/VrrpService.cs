using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Tracking;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>Starts every configured instance and its built-in trackers; on stop resigns and removes VIPs.</summary>
public sealed partial class VrrpService : IHostedLifecycleService, IAsyncDisposable
{
    private readonly IReadOnlyList<VrrpInstanceDefinition> _definitions;
    private readonly VrrpOptions _options;
    private readonly Dictionary<string, ITrackedCondition> _hostConditions;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly VrrpMetrics _metrics;
    private readonly List<VrrpInstanceRunner> _runners = [];
    private readonly List<PolledCondition> _builtIn = [];
    private DedicatedThreadTimeProvider? _timerThread;
    private volatile bool _maintenance;
    private StaticIpObjects? _static;
    private readonly List<VrrpSyncGroup> _groups = [];
    private NotifyFifoWriter? _fifo;
    private readonly System.Threading.Channels.Channel<Func<CancellationToken, Task>> _groupNotify =
        System.Threading.Channels.Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _groupNotifyStop = new();
    private Task? _groupNotifyLoop;

    public VrrpService(IReadOnlyList<VrrpInstanceDefinition> definitions, VrrpOptions options, IEnumerable<ITrackedCondition> conditions,
        TimeProvider time, ILoggerFactory loggers, VrrpMetrics metrics)
    {
        _definitions = definitions;
        _options = options;
        _hostConditions = new(StringComparer.Ordinal);
        foreach (var c in conditions)
        {
            _hostConditions[c.Name] = c;
        }
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger("SaltHaGateway.Vrrp");
        _metrics = metrics;
    }

    public IReadOnlyList<VrrpInstanceStatus> Status() => _runners.Select(r => r.Status()).ToArray();

    public IReadOnlyList<VrrpSyncGroupStatus> SyncGroupStatus() =>
        _groups.Select(g => new VrrpSyncGroupStatus(g.Name, StateName(g.State), g.Members.ToArray())).ToArray();

    private static string StateName(VrrpState state) => state == VrrpState.Initialize ? "init" : state.ToString().ToLowerInvariant();

    /// <summary>How long a graceful stop waits for the peer to take the VIPs before it lets go regardless.</summary>
    public TimeSpan HandoverTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Maintenance on every instance (see <see cref="VrrpInstanceRunner.SetMaintenance"/>); may be set before start.</summary>
    public void SetMaintenance(bool on)
    {
        _maintenance = on;
        foreach (var runner in _runners)
        {
            runner.SetMaintenance(on);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        var missing = LinuxCapabilities.Missing();
        if (missing.Count > 0)
        {
            throw new VrrpStartupException("VRRP cannot start: the process lacks " + string.Join(" and ", missing)
                + ". Run as root or set AmbientCapabilities=CAP_NET_RAW CAP_NET_ADMIN in the systemd unit.");
        }
        var global = _options.Global;
        ScriptIdentity? identity = null;
        if (global.ScriptUser is { } user)
        {
            identity = ScriptIdentity.Resolve(user, global.ScriptGroup, out var why)
                ?? throw new VrrpStartupException($"Vrrp:Global:ScriptUser: {why}");
        }
        if (global.EnableScriptSecurity && (identity?.Uid ?? (int)LibC.geteuid()) == 0)
        {
            var unsafeScripts = AllScripts().Select(s => (s.Where, Why: ScriptSecurity.Check(s.Command))).Where(s => s.Why is not null).ToArray();
            if (unsafeScripts.Length > 0)
            {
                throw new VrrpStartupException("Vrrp:Global:EnableScriptSecurity: scripts would run as root from paths others can change: "
                    + string.Join("; ", unsafeScripts.Select(s => $"{s.Where}: {s.Why}")));
            }
        }
        foreach (var file in _options.TrackFiles.Values)
        {
            try
            {
                TrackFileCondition.Initialise(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new VrrpStartupException($"Vrrp:TrackFiles: cannot write {file.Path}: {e.Message}");
            }
        }
        var shared = new Dictionary<string, PolledCondition>(StringComparer.Ordinal);
        var plans = new List<(VrrpInstanceDefinition, List<(TrackDefinition, ITrackedCondition)>)>();
        foreach (var def in _definitions)
        {
            var tracked = new List<(TrackDefinition, ITrackedCondition)>();
            for (int i = 0; i < def.Track.Count; i++)
            {
                var t = def.Track[i];
                ITrackedCondition condition;
                if (t.Kind == TrackKind.Condition)
                {
                    if (!_hostConditions.TryGetValue(t.Target, out condition!))
                    {
                        throw new VrrpStartupException($"Vrrp:Instances:{def.Settings.Name}:Track:{i}:Condition: unknown condition '{t.Target}'; known: {string.Join(", ", _hostConditions.Keys.Order())}");
                    }
                }
                else if (!shared.TryGetValue(t.ConditionName, out var polled))
                {
                    polled = t.Kind switch
                    {
                        TrackKind.Interface => new InterfaceUpCondition(t.Target),
                        TrackKind.File => new TrackFileCondition(t.Target, _options.TrackFiles[t.Target]),
                        TrackKind.Process => new ProcessCondition(t.Target, _options.TrackProcesses[t.Target]),
                        _ => new ScriptCondition(t.Target, _options.Scripts[t.Target], identity),
                    };
                    shared[t.ConditionName] = polled;
                    condition = polled;
                }
                else
                {
                    condition = polled;
                }
                tracked.Add((t, condition));
            }
            plans.Add((def, tracked));
        }
        _static = new StaticIpObjects(VrrpOptionsValidator.StaticObjects(_options, []), _logger, _metrics);
        _static.Install();
        FailoverPathWarmup.Run();
        // Protocol timers get their own thread unless a test substituted the clock.
        _timerThread = ReferenceEquals(_time, TimeProvider.System) ? new DedicatedThreadTimeProvider() : null;
        var machineTime = (TimeProvider?)_timerThread ?? _time;
        foreach (var polled in shared.Values)
        {
            _builtIn.Add(polled);
            if (polled is ITrackedValue valued)
            {
                var gauge = _metrics.TrackValue.WithLabels(polled.Name);
                gauge.Set(valued.Value);
                polled.Changed += () => gauge.Set(valued.Value);
            }
            polled.Start(_time);
        }
        if (global.NotifyFifo is { } fifoPath)
        {
            _fifo = NotifyFifoWriter.Open(fifoPath, global.NotifyFifoScript, identity);
            _fifo.OnDropped = () => _metrics.NotifyFifoDropped.Inc();
        }
        var groups = new Dictionary<string, VrrpSyncGroup>(StringComparer.Ordinal);
        foreach (var (name, options) in _options.SyncGroups)
        {
            var group = new VrrpSyncGroup(name);
            var gauge = _metrics.SyncGroupState.WithLabels(name);
            gauge.Set(0);
            group.StateChanged = state => OnGroupStateChanged(name, options.Notify, gauge, state, identity);
            groups[name] = group;
            _groups.Add(group);
        }
        _groupNotifyLoop = Task.Run(() => DrainGroupNotifiesAsync(_groupNotifyStop.Token), CancellationToken.None);
        foreach (var (def, tracked) in plans)
        {
            var extras = new VrrpRunnerExtras(def.SyncGroup is { } g ? groups[g] : null, identity, _fifo);
            var runner = new VrrpInstanceRunner(def, tracked, machineTime, _loggers.CreateLogger("SaltHaGateway.Vrrp." + def.Settings.Name), _metrics, _maintenance, extras);
            _runners.Add(runner);
            runner.Start();
        }
        return Task.CompletedTask;
    }

    private IEnumerable<(string Where, string Command)> AllScripts()
    {
        foreach (var (name, s) in _options.Scripts) yield return ($"Vrrp:Scripts:{name}:Command", s.Command);
        foreach (var (name, i) in _options.Instances)
        {
            foreach (var (key, command) in NotifyCommands(i.Notify)) yield return ($"Vrrp:Instances:{name}:Notify:{key}", command);
        }
        foreach (var (name, g) in _options.SyncGroups)
        {
            foreach (var (key, command) in NotifyCommands(g.Notify)) yield return ($"Vrrp:SyncGroups:{name}:Notify:{key}", command);
        }
        if (_options.Global.NotifyFifoScript is { } fifoScript) yield return ("Vrrp:Global:NotifyFifoScript", fifoScript);
    }

    private static IEnumerable<(string, string)> NotifyCommands(VrrpNotifyOptions n) =>
        new[] { ("Master", n.Master), ("Backup", n.Backup), ("Fault", n.Fault), ("Stop", n.Stop), ("Any", n.Any) }
            .Where(x => x.Item2 is not null).Select(x => (x.Item1, x.Item2!));

    /// <summary>keepalived's send_group_notifies: the state's own hook, the generic one with "GROUP name STATE 0", the FIFO.</summary>
    private void OnGroupStateChanged(string name, VrrpNotifyOptions notify, Prometheus.Gauge.Child gauge, VrrpState state, ScriptIdentity? identity)
    {
        gauge.Set((int)state);
        string keepalivedState = state == VrrpState.Initialize ? "STOP" : state.ToString().ToUpperInvariant();
        LogGroupState(name, keepalivedState);
        _fifo?.Write(NotifyFifoWriter.GroupLine(name, keepalivedState));
        string? specific = state switch
        {
            VrrpState.Master => notify.Master,
            VrrpState.Backup => notify.Backup,
            VrrpState.Fault => notify.Fault,
            _ => notify.Stop,
        };
        var timeout = TimeSpan.FromSeconds(notify.TimeoutSeconds);
        if (specific is not null)
        {
            _groupNotify.Writer.TryWrite(ct => RunGroupNotifyAsync(name, specific, [], timeout, identity, ct));
        }
        if (notify.Any is { } any)
        {
            _groupNotify.Writer.TryWrite(ct => RunGroupNotifyAsync(name, any, ["GROUP", name, keepalivedState, "0"], timeout, identity, ct));
        }
    }

    private async Task RunGroupNotifyAsync(string group, string command, string[] args, TimeSpan timeout, ScriptIdentity? identity, CancellationToken ct)
    {
        int exit = await NotifyScriptRunner.RunAsync(command, args, timeout, ct, identity).ConfigureAwait(false);
        if (exit != 0)
        {
            LogGroupNotifyFailed(group, command, exit);
        }
    }

    private async Task DrainGroupNotifiesAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var work in _groupNotify.Reader.ReadAllAsync(ct).ConfigureAwait(false))
            {
                try
                {
                    await work(ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogGroupNotifyError(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(EventId = 5014, Level = LogLevel.Information, Message = "VRRP sync group {Group}: {State}")]
    private partial void LogGroupState(string group, string state);

    [LoggerMessage(EventId = 5015, Level = LogLevel.Warning, Message = "VRRP sync group {Group}: notify '{Command}' exited with {ExitCode}")]
    private partial void LogGroupNotifyFailed(string group, string command, int exitCode);

    [LoggerMessage(EventId = 5016, Level = LogLevel.Error, Message = "VRRP sync group notify failed")]
    private partial void LogGroupNotifyError(Exception exception);

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Hand the VIPs over before the rest of the host shuts down: the listeners keep serving until the peer has
    /// announced itself master (and its gratuitous ARP is out), so no client packet meets a node without the VIP.
    /// </summary>
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(_runners.Select(r => r.HandOverAsync()));
        if (await Task.WhenAny(all, Task.Delay(HandoverTimeout, cancellationToken)).ConfigureAwait(false) != all)
        {
            LogHandoverTimeout(HandoverTimeout.TotalSeconds);
        }
    }

    [LoggerMessage(EventId = 5013, Level = LogLevel.Warning, Message = "VRRP: the handover did not finish within {Seconds} s; stopping anyway")]
    private partial void LogHandoverTimeout(double seconds);

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await Task.WhenAll(_runners.Select(r => r.StopAsync()));
        // Let the group's stop hook run, but not forever.
        _groupNotify.Writer.TryComplete();
        if (_groupNotifyLoop is not null)
        {
            await Task.WhenAny(_groupNotifyLoop, Task.Delay(TimeSpan.FromSeconds(10), CancellationToken.None));
        }
        await _groupNotifyStop.CancelAsync();
        _fifo?.Dispose();
        _fifo = null;
        _static?.Remove();
        foreach (var polled in _builtIn)
        {
            await polled.DisposeAsync();
        }
        _builtIn.Clear();
        _timerThread?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        _static?.Dispose();
        foreach (var r in _runners)
        {
            await r.DisposeAsync();
        }
        _runners.Clear();
        foreach (var polled in _builtIn)
        {
            await polled.DisposeAsync();
        }
        _builtIn.Clear();
        _timerThread?.Dispose();
    }
}
