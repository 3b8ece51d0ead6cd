using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Configuration;
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
                    polled = t.Kind == TrackKind.Interface
                        ? new InterfaceUpCondition(t.Target)
                        : new ScriptCondition(t.Target, _options.Scripts[t.Target]);
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
            polled.Start(_time);
        }
        foreach (var (def, tracked) in plans)
        {
            var runner = new VrrpInstanceRunner(def, tracked, machineTime, _loggers.CreateLogger("SaltHaGateway.Vrrp." + def.Settings.Name), _metrics, _maintenance);
            _runners.Add(runner);
            runner.Start();
        }
        return Task.CompletedTask;
    }

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
