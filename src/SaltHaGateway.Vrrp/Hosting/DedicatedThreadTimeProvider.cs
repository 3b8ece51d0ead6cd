namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>
/// System time, but timers fire on one dedicated thread instead of the thread pool: the advert and
/// master-down timers are the failover path, and on a busy node a thread-pool hop delays them by milliseconds
/// to tens of milliseconds (bench/vrrp). Callbacks must be short (they are: one send, a few kernel calls).
/// </summary>
internal sealed class DedicatedThreadTimeProvider : TimeProvider, IDisposable
{
    private readonly object _gate = new();
    private readonly PriorityQueue<(Entry Timer, long Version), long> _queue = new();
    private readonly Thread _thread;
    private bool _disposed;

    public DedicatedThreadTimeProvider()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "vrrp-timers" };
        _thread.Start();
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new Entry(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private void Schedule(Entry timer, long version, TimeSpan due)
    {
        lock (_gate)
        {
            long at = GetTimestamp() + (long)(due.TotalSeconds * TimestampFrequency);
            _queue.Enqueue((timer, version), at);
            Monitor.Pulse(_gate);
        }
    }

    private void Run()
    {
        while (true)
        {
            Entry timer;
            long version;
            lock (_gate)
            {
                while (true)
                {
                    if (_disposed)
                    {
                        return;
                    }
                    if (_queue.TryPeek(out var next, out long at))
                    {
                        long wait = at - GetTimestamp();
                        if (wait <= 0)
                        {
                            _queue.Dequeue();
                            (timer, version) = next;
                            break;
                        }
                        Monitor.Wait(_gate, TimeSpan.FromSeconds((double)wait / TimestampFrequency) + TimeSpan.FromTicks(1));
                    }
                    else
                    {
                        Monitor.Wait(_gate);
                    }
                }
            }
            timer.Fire(version);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            Monitor.Pulse(_gate);
        }
    }

    private sealed class Entry(DedicatedThreadTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _version;
        private TimeSpan _period = Timeout.InfiniteTimeSpan;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            long version = Interlocked.Increment(ref _version);
            _period = period;
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                owner.Schedule(this, version, dueTime < TimeSpan.Zero ? TimeSpan.Zero : dueTime);
            }
            return true;
        }

        public void Fire(long version)
        {
            if (Interlocked.Read(ref _version) != version)
            {
                return;   // changed or disposed since this firing was scheduled
            }
            try
            {
                callback(state);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A failing callback must not kill the timer thread of every instance.
                global::System.Diagnostics.Debug.WriteLine(e);
            }
            if (_period > TimeSpan.Zero && _period != Timeout.InfiniteTimeSpan && Interlocked.Read(ref _version) == version)
            {
                owner.Schedule(this, version, _period);
            }
        }

        public void Dispose() => Interlocked.Increment(ref _version);

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
