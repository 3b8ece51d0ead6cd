namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>Base for built-in conditions that are re-evaluated on a timer by a loop they own.</summary>
internal abstract class PolledCondition : ITrackedCondition, IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _isUp;

    protected PolledCondition(string name, bool initiallyUp)
    {
        Name = name;
        _isUp = initiallyUp;
    }

    public string Name { get; }
    public bool IsUp => _isUp;
    public event Action? Changed;

    protected abstract TimeSpan Interval { get; }

    /// <summary>For conditions that carry more than up/down (a track_file's value): tell the instances to look again.</summary>
    protected void RaiseChanged() => Changed?.Invoke();

    /// <summary>The clock the loop runs on (set by <see cref="Start"/>).</summary>
    protected TimeProvider Time { get; private set; } = TimeProvider.System;

    /// <summary>Returns the new state; implementations must not throw for ordinary failures.</summary>
    protected abstract Task<bool> EvaluateAsync(bool current, CancellationToken ct);

    public void Start(TimeProvider time)
    {
        Time = time;
        _loop = RunAsync(time, _stop.Token);
    }

    private async Task RunAsync(TimeProvider time, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval, time);
        do
        {
            bool next;
            try
            {
                next = await EvaluateAsync(_isUp, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            if (next != _isUp)
            {
                _isUp = next;
                Changed?.Invoke();
            }
        }
        while (await SafeWait(timer, ct));
    }

    private static async Task<bool> SafeWait(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }
        _stop.Dispose();
    }
}
