using SaltHaGateway.Admin;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Hosting;

/// <summary>
/// Tells systemd (<c>Type=notify</c>) what the gateway is doing: READY=1 when <c>/readyz</c> turns 200, STOPPING=1
/// when a graceful stop begins (before the VRRP handover), RELOADING=1 and READY=1 around every config reload,
/// STATUS= with a one-line summary whenever it changes, and WATCHDOG=1 pings when <c>WatchdogSec=</c> is set.
/// Does nothing when the gateway was not started by systemd (no <c>NOTIFY_SOCKET</c>).
/// </summary>
public sealed partial class SystemdNotifier(SdNotifySocket socket, PairStatusSource pair, ConfigFileReloader config, GatewayOptions options,
    IHostApplicationLifetime lifetime, TimeProvider time, ILogger<SystemdNotifier> logger) : IHostedLifecycleService, IDisposable
{
    private static readonly TimeSpan StatusInterval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _loops = [];
    private readonly Lock _statusLock = new();
    private volatile bool _ready;
    private int _stopping;
    private string? _status;

    /// <summary>The WATCHDOG_USEC systemd set, read once at start (the variable is then removed, so hooks and
    /// scripts the gateway runs do not see it).</summary>
    public TimeSpan? WatchdogInterval { get; } = TakeWatchdogInterval();

    private static TimeSpan? TakeWatchdogInterval()
    {
        var interval = SdNotifyMessage.WatchdogInterval(Environment.GetEnvironmentVariable("WATCHDOG_USEC"),
            Environment.GetEnvironmentVariable("WATCHDOG_PID"), Environment.ProcessId);
        Environment.SetEnvironmentVariable("WATCHDOG_USEC", null);
        Environment.SetEnvironmentVariable("WATCHDOG_PID", null);
        return interval;
    }

    /// <summary>Config loaded, first health round done, listeners bound: the moment /readyz turns 200.</summary>
    public void Ready()
    {
        if (!socket.Enabled) return;
        _ready = true;
        socket.Send(SdNotifyMessage.Ready);
        RefreshStatus();
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!socket.Enabled) return Task.CompletedTask;
        config.Reloading += OnReloading;
        config.Reloaded += OnReloaded;
        lifetime.ApplicationStopping.Register(Stopping);
        _loops.Add(Task.Run(() => StatusLoopAsync(_stop.Token), CancellationToken.None));
        if (WatchdogInterval is { } interval) _loops.Add(Task.Run(() => WatchdogLoopAsync(interval, _stop.Token), CancellationToken.None));
        return Task.CompletedTask;
    }

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Registered after VRRP, so this runs before its handover (stopping runs in reverse order); a SIGTERM
    /// gets here earlier still, through ApplicationStopping.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        Stopping();
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        config.Reloading -= OnReloading;
        config.Reloaded -= OnReloaded;
        await _stop.CancelAsync();
        await Task.WhenAll(_loops);
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Stopping()
    {
        if (!socket.Enabled || Interlocked.Exchange(ref _stopping, 1) == 1) return;
        socket.Send(SdNotifyMessage.Stopping);
    }

    private void OnReloading()
    {
        if (_ready && Volatile.Read(ref _stopping) == 0) socket.Send(SdNotifyMessage.Reloading(SdNotifyMessage.MonotonicUsec()));
    }

    /// <summary>A rejected edit also ends the reload: the old config stays in force and the gateway still serves.</summary>
    private void OnReloaded()
    {
        if (!_ready || Volatile.Read(ref _stopping) == 1) return;
        socket.Send(SdNotifyMessage.Ready);
        RefreshStatus();
    }

    private async Task StatusLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(StatusInterval, time);
        try
        {
            do RefreshStatus();
            while (await timer.WaitForNextTickAsync(ct));
        }
        catch (OperationCanceledException) { }
    }

    private void RefreshStatus()
    {
        string line;
        try
        {
            line = SdNotifyMessage.StatusLine(pair.Local());
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            // Sync's store closes during a stop; the last status stays.
            LogStatusUnavailable(e.Message);
            return;
        }
        lock (_statusLock)
        {
            if (line == _status) return;
            _status = line;
        }
        socket.Send(SdNotifyMessage.Status(line));
    }

    /// <summary>
    /// The pings come from a thread-pool timer and only after the admin listener answered a request on a new
    /// loopback connection: the proxy and admin paths (Kestrel's accept loop, the thread pool, the middleware) are
    /// what would hang first. VRRP's adverts and timers run on dedicated threads so that they keep going when the
    /// pool is starved, and a node that still sends adverts while it cannot proxy keeps the VIP; a restart by the
    /// watchdog hands it to the peer.
    /// </summary>
    private async Task WatchdogLoopAsync(TimeSpan interval, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        }) { Timeout = interval };
        var probe = new Uri(GatewayApp.Loopback(options.AdminListen), "healthz");
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                // Before the listeners are bound the start is bounded by TimeoutStartSec instead.
                if (!_ready)
                {
                    socket.Send(SdNotifyMessage.Watchdog);
                    continue;
                }
                try
                {
                    // Any answer will do (an admin access list may refuse loopback): the path is alive.
                    using var response = await http.GetAsync(probe, ct);
                    socket.Send(SdNotifyMessage.Watchdog);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
                {
                    LogWatchdogProbeFailed(probe.ToString(), e.Message);
                }
            }
        }
        catch (OperationCanceledException) { }
    }

    public void Dispose() => _stop.Dispose();

    [LoggerMessage(EventId = 4801, Level = LogLevel.Warning, Message = "Watchdog: {Url} did not answer ({Reason}); no ping this time")]
    private partial void LogWatchdogProbeFailed(string url, string reason);

    [LoggerMessage(EventId = 4802, Level = LogLevel.Debug, Message = "systemd status not refreshed: {Reason}")]
    private partial void LogStatusUnavailable(string reason);
}
