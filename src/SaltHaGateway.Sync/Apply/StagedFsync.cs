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
    private readonly Thread[] _threads;
    private Exception? _failure;

    public StagedFsync(int threads = 16, int maxQueued = 512)
    {
        _queue = new BlockingCollection<(FileDescriptor, string)>(maxQueued);
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Work, maxStackSize: 256 * 1024) { IsBackground = true, Name = "sync fsync" };
            _threads[i].Start();
        }
    }

    /// <summary>Takes ownership of <paramref name="fd"/>: it is fsynced and closed here.</summary>
    public void Add(FileDescriptor fd, string display)
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            fd.Dispose();
            throw failure;
        }
        _queue.Add((fd, display));
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
