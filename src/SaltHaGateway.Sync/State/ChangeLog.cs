using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.State;

/// <summary>
/// Appends to the local change log and wakes peers that are long-polling for new sequence numbers.
/// </summary>
public sealed class ChangeLog(SyncStateStore store)
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();

    public SyncStateStore Store => store;

    /// <summary>Records new versions (each gets a sequence number) and local hint refreshes.</summary>
    public IReadOnlyList<FileEntry> Append(IEnumerable<FileEntry> newVersions, IEnumerable<FileEntry>? hintsOnly = null)
    {
        var list = newVersions.Select(e => (e, true)).Concat((hintsOnly ?? []).Select(e => (e, false))).ToList();
        var written = store.Write(list);
        if (list.Any(x => x.Item2)) Wake();
        return written;
    }

    /// <summary>Completes once the log's highest sequence exceeds <paramref name="sequence"/> or the wait ends.</summary>
    public async Task WaitForChangeAfterAsync(long sequence, TimeSpan maxWait, CancellationToken ct)
    {
        Task wait;
        lock (_lock) wait = _changed.Task;
        if (store.MaxSequence > sequence) return;
        await Task.WhenAny(wait, Task.Delay(maxWait, ct)).ConfigureAwait(false);
    }

    private void Wake()
    {
        TaskCompletionSource old;
        lock (_lock)
        {
            old = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        old.TrySetResult();
    }
}
