using System.Collections.Concurrent;
using SaltHaGateway.Sync.Native;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// fsyncs the files of one batch while the batch is still being staged. Each staged file's open
/// descriptor is handed over here; worker threads fsync and close it, so the disk flushes the first
/// files while later ones are written, and many fsyncs in flight let the filesystem commit them in
/// groups. <see cref="WaitAll"/> returns once every handed-over file is durable; only then may any of
/// them be renamed into place. Dedicated threads, not the thread pool: fsync blocks, and the pool
/// adds threads for blocked work only slowly (on 2 cores the fsyncs then ran almost one at a time).
/// The queue is bounded, so a slow disk slows staging down instead of piling up open descriptors.
/// </summary>
internal sealed class StagedFsync : IDisposable
{
    private readonly BlockingCollection<(FileDescriptor Fd, string Display)> _queue;
    private readonly List<Thread> _threads = [];
    private readonly int _maxThreads;
    private Exception? _failure;

    public StagedFsync(int maxThreads = 16, int maxQueued = 512)
    {
        _queue = new BlockingCollection<(FileDescriptor, string)>(maxQueued);
        _maxThreads = maxThreads;
    }

    /// <summary>
    /// Takes ownership of <paramref name="fd"/>: it is fsynced and closed here. One caller at a time (the
    /// applier holds the engine gate). Threads are added while files wait, so a single change costs one
    /// thread and a large batch soon has them all.
    /// </summary>
    public void Add(FileDescriptor fd, string display)
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            fd.Dispose();
            throw failure;
        }
        _queue.Add((fd, display));
        if (_threads.Count < _maxThreads && (_threads.Count == 0 || _queue.Count > 0))
        {
            var thread = new Thread(Work, maxStackSize: 256 * 1024) { IsBackground = true, Name = "sync fsync" };
            thread.Start();
            _threads.Add(thread);
        }
    }

    /// <summary>Blocks until every file handed over is fsynced; throws the first fsync failure.</summary>
    public void WaitAll()
    {
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        foreach (var t in _threads) t.Join();
        if (_failure is not null) throw _failure;
    }

    private void Work()
    {
        foreach (var (fd, display) in _queue.GetConsumingEnumerable())
        {
            using (fd)
            {
                if (Volatile.Read(ref _failure) is not null) continue;
                try
                {
                    fd.Fsync(display);
                }
                catch (PosixException e)
                {
                    Interlocked.CompareExchange(ref _failure, e, null);
                }
            }
        }
    }

    public void Dispose()
    {
        if (!_queue.IsAddingCompleted) _queue.CompleteAdding();
        foreach (var t in _threads) t.Join();
        _queue.Dispose();
    }
}
