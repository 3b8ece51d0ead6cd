namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// Runs blocking fsyncs on dedicated threads. Concurrent fsyncs let the filesystem journal commit
/// many files at once; on thread-pool threads they would not be concurrent at all, because the pool
/// starts with one thread per core and adds threads for blocked work only slowly (a batch of 2,000
/// fsyncs then ran almost one at a time).
/// </summary>
internal static class FsyncFanOut
{
    public static void Run<T>(IReadOnlyList<T> items, int maxThreads, Action<T> fsync)
    {
        if (items.Count == 0) return;
        int next = -1;
        Exception? failure = null;
        void Work()
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < items.Count && Volatile.Read(ref failure) is null)
            {
                try
                {
                    fsync(items[i]);
                }
                catch (Exception e)
                {
                    Interlocked.CompareExchange(ref failure, e, null);
                }
            }
        }
        var threads = new Thread[Math.Min(maxThreads, items.Count) - 1];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(Work, maxStackSize: 256 * 1024) { IsBackground = true, Name = "sync fsync" };
            threads[t].Start();
        }
        Work();
        foreach (var t in threads) t.Join();
        if (failure is not null) throw failure;
    }
}
