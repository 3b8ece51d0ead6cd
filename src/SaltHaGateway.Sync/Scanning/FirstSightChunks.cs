using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Scanning;

/// <summary>
/// Commits versions of paths the index has never seen in chunks while a full scan is still walking,
/// so indexing a large tree for the first time never holds every new version in memory at once.
/// Only first sights qualify: a path with no index row has no indexed children either, so no
/// deletion or type change in the same scan has to precede it in the log. A path below a directory
/// whose own version is held back (a changed directory) is held back too, keeping parents first.
/// </summary>
internal sealed class FirstSightChunks(Action<List<FileEntry>> commit, int chunkSize)
{
    private readonly List<FileEntry> _pending = new(chunkSize);
    private readonly HashSet<string> _heldBackDirs = new(StringComparer.Ordinal);

    /// <summary>True when the entry was taken (and maybe committed); false when the caller must keep it.</summary>
    public bool TryTake(FileEntry? before, FileEntry entry)
    {
        bool underHeldBack = !entry.Path.IsRoot && _heldBackDirs.Contains(entry.Path.Parent.Value);
        if (before is not null || underHeldBack)
        {
            if (entry.Kind == EntryKind.Directory) _heldBackDirs.Add(entry.Path.Value);
            return false;
        }
        _pending.Add(entry);
        if (_pending.Count >= chunkSize) Flush();
        return true;
    }

    /// <summary>An unchanged or hint-only directory below a held-back one is held back as well.</summary>
    public void Inherit(RelativePath directory)
    {
        if (!directory.IsRoot && _heldBackDirs.Contains(directory.Parent.Value)) _heldBackDirs.Add(directory.Value);
    }

    public void Flush()
    {
        if (_pending.Count == 0) return;
        commit([.. _pending]);
        _pending.Clear();
    }
}
