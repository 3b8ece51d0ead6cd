using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Roots;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// Work of one batch of remote entries that is finished together: staged files waiting for their
/// rename, and index records in log order. Directories, links and deletions are done at once;
/// only file renames and index writes wait (see <see cref="ChangeApplier.CompleteBatch"/>).
/// </summary>
internal sealed class ApplyBatch : IDisposable
{
    private StagedFsync? _durable;

    internal sealed record Item(FileEntry Record, long PeerSequence, string Peer, PathClass PathClass)
    {
        public SyncRoot? Root { get; init; }
        /// <summary>Staged file name, or null when the disk is already done.</summary>
        public string? Staged { get; init; }
        public bool CountsAsApplied { get; init; }
        /// <summary>False when only the version (or an mtime) moved, with the same bytes, mode and owner: hooks are not told.</summary>
        public bool ChangesDisk { get; init; } = true;
    }

    public List<Item> Items { get; } = [];

    /// <summary>Where staged files go to be fsynced while the rest of the batch is staged (started on first use).</summary>
    public StagedFsync Durable => _durable ??= new StagedFsync();

    /// <summary>Blocks until every staged file is durable; throws the first fsync failure.</summary>
    public void WaitDurable() => _durable?.WaitAll();

    public void Dispose() => _durable?.Dispose();
}
