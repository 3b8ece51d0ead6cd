namespace SaltHaGateway.Health;

/// <summary>A short periodic tick on the thread pool whose lateness feeds <see cref="SchedulerLagTracker"/>.</summary>
internal sealed class SchedulerLagMonitor : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly TimeSpan _period;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public SchedulerLagMonitor(TimeProvider time, TimeSpan period)
    {
        _time = time;
        _period = period;
    }

    public SchedulerLagTracker Tracker { get; } = new();

    public void Start() => _loop ??= Task.Run(() => RunAsync(_stop.Token));

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Tracker.BeginWait(_time.GetUtcNow() + _period);
            try
            {
                await Task.Delay(_period, _time, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Tracker.Woke(_time.GetUtcNow());
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        if (_loop is not null) await _loop.ConfigureAwait(false);
        _stop.Dispose();
    }
}
