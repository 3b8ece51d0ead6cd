namespace SaltHaGateway.Sync.Core;

public enum LocalChangeKind { Unchanged, HintsOnly, NewVersion }

/// <summary>
/// Compares what is on disk with the index. Only a difference in replicated state (content, type,
/// mode, owner, file mtime, link target, existence) makes a new version; everything else at most
/// refreshes the local stat hints. Because an applied remote change is recorded before the watcher
/// reports it, the echo compares equal here and is never sent back.
/// </summary>
public static class LocalChangeDetector
{
    /// <summary>
    /// True when a regular file must be re-hashed. Same size, mtime, ctime, inode and mode/owner
    /// normally mean "unchanged", but <paramref name="force"/> (a watcher hint: something wrote
    /// and closed the file) always hashes, so a same-size rewrite inside one timestamp tick is seen.
    /// </summary>
    public static bool NeedsHash(FileEntry? stored, LocalObservation seen, bool force) =>
        force || stored is null || stored.Deleted || stored.Kind != EntryKind.File || stored.Sha256 is null
        || stored.Size != seen.Size || stored.MtimeNs != seen.MtimeNs || stored.LocalCtimeNs != seen.CtimeNs
        || stored.LocalInode != seen.Inode || stored.Mode != seen.Mode || stored.Uid != seen.Uid || stored.Gid != seen.Gid;

    public static (LocalChangeKind Kind, FileEntry? Entry) Evaluate(
        string root, RelativePath path, FileEntry? stored, LocalObservation seen, string node, long nowNs)
    {
        var candidate = new FileEntry
        {
            Root = root,
            Path = path,
            Kind = seen.Kind,
            Sha256 = seen.Kind == EntryKind.File ? seen.Sha256 ?? stored?.Sha256 : null,
            Size = seen.Kind == EntryKind.File ? seen.Size : 0,
            Mode = seen.Kind == EntryKind.Symlink ? 0 : seen.Mode,
            Uid = seen.Uid,
            Gid = seen.Gid,
            // Directory and link mtimes change as a side effect of other operations; only file mtimes replicate.
            MtimeNs = seen.Kind == EntryKind.File ? seen.MtimeNs : 0,
            LinkTarget = seen.Kind == EntryKind.Symlink ? seen.LinkTarget : null,
            LocalCtimeNs = seen.CtimeNs,
            LocalInode = seen.Inode,
            Version = stored?.Version ?? VersionVector.Empty,
            OriginNode = stored?.OriginNode ?? node,
            OriginTimeNs = stored?.OriginTimeNs ?? nowNs,
            Sequence = stored?.Sequence ?? 0,
            ReceivedFrom = stored?.ReceivedFrom,
        };

        if (stored is not null && !stored.Deleted && stored.SameContent(candidate) && stored.MtimeNs == candidate.MtimeNs)
        {
            return stored.LocalCtimeNs == seen.CtimeNs && stored.LocalInode == seen.Inode
                ? (LocalChangeKind.Unchanged, null)
                : (LocalChangeKind.HintsOnly, candidate);
        }

        return (LocalChangeKind.NewVersion, candidate with
        {
            Version = (stored?.Version ?? VersionVector.Empty).Increment(node),
            OriginNode = node,
            // First sight of a path (e.g. trees that existed before sync was set up): the edit happened
            // when the file says, not when we looked. Later versions are seen as they happen.
            OriginTimeNs = stored is null ? (seen.Kind == EntryKind.File ? seen.MtimeNs : seen.CtimeNs) : nowNs,
            ReceivedFrom = null,
        });
    }

    /// <summary>A tombstone for a path that is gone from disk, or null when already deleted.</summary>
    public static FileEntry? Tombstone(FileEntry stored, string node, long nowNs) =>
        stored.Deleted ? null : stored with
        {
            Deleted = true,
            Sha256 = null,
            Size = 0,
            LinkTarget = null,
            Version = stored.Version.Increment(node),
            OriginNode = node,
            OriginTimeNs = nowNs,
            ReceivedFrom = null,
            LocalCtimeNs = 0,
            LocalInode = 0,
        };

    /// <summary>
    /// Deletions first, children before parents; then creations, parents before children. A peer
    /// replaying the log in this order never has to put a file where a directory still stands.
    /// </summary>
    public static List<FileEntry> OrderForLog(IEnumerable<FileEntry> changes) =>
        changes.Where(e => e.Deleted).OrderByDescending(e => e.Path.Depth)
            .Concat(changes.Where(e => !e.Deleted).OrderBy(e => e.Path.Depth))
            .ToList();
}
