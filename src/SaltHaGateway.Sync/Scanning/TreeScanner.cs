using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Scanning;

/// <summary>
/// Walks a root (or the part a hint names) with lstat, never descending into symlinks, and compares
/// what it sees with the index. Produces new versions and tombstones; commits nothing itself.
/// </summary>
public sealed partial class TreeScanner(
    SyncStateStore store, IgnoreRules ignore, string nodeId, long maxFileBytes, bool allowOutsideLinks,
    TimeProvider time, ILogger<TreeScanner> logger)
{
    private static readonly string NotYetPresent = new("absent");

    public string NodeId => nodeId;

    /// <summary>
    /// A full scan that hands versions of never-seen paths to <paramref name="commitChunk"/> every
    /// <paramref name="chunkSize"/> entries while walking; the result holds only the rest.
    /// </summary>
    public ScanResult ScanRoot(SyncRoot root, Action<List<FileEntry>> commitChunk, int chunkSize = 5000)
    {
        var chunks = new FirstSightChunks(commitChunk, chunkSize);
        var result = Scan(root, RelativePath.Root, recursive: true, force: false, fullRoot: true, chunks);
        if (result.PauseReason is null) chunks.Flush();
        return result;
    }

    public ScanResult ScanHint(SyncRoot root, RelativePath path, bool recursive) => ScanHints(root, [(path, recursive, true)]);

    /// <summary>
    /// Examines the hinted paths of one root (root checks once for the whole batch). <c>Force</c> re-hashes
    /// files whose stat matches the index (something wrote them); without it a matching stat (size, ns mtime,
    /// ctime, inode, mode, owner) means unchanged. That is what makes the watcher's report of a file this node
    /// just renamed into place cheap: its recorded stat matches, nothing is read again.
    /// </summary>
    public ScanResult ScanHints(SyncRoot root, IReadOnlyList<(RelativePath Path, bool Recursive, bool Force)> hints)
    {
        var pause = CheckRoot(root, fullRoot: false);
        if (ReferenceEquals(pause, NotYetPresent)) return new ScanResult();
        if (pause is not null) return new ScanResult { PauseReason = pause };
        var all = new ScanResult();
        var done = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (path, recursive, force) in hints.OrderBy(h => h.Path.Depth))
        {
            // A path inside a directory already walked recursively in this batch was seen there.
            if (done.Any(d => path.IsSameOrBelow(RelativePath.Parse(d)))) continue;
            var r = ScanFrom(root, path, recursive, force: force || recursive);
            if (recursive) done.Add(path.Value);
            all.NewVersions.AddRange(r.NewVersions);
            all.HintUpdates.AddRange(r.HintUpdates);
            all.Unstable.AddRange(r.Unstable);
            all.Examined += r.Examined;
        }
        var ordered = LocalChangeDetector.OrderForLog(all.NewVersions);
        all.NewVersions.Clear();
        all.NewVersions.AddRange(ordered);
        return all;
    }

    private ScanResult Scan(SyncRoot root, RelativePath start, bool recursive, bool force, bool fullRoot, FirstSightChunks? chunks)
    {
        var pause = CheckRoot(root, fullRoot);
        if (ReferenceEquals(pause, NotYetPresent)) return new ScanResult();
        if (pause is not null) return new ScanResult { PauseReason = pause };
        return ScanFrom(root, start, recursive, force, chunks);
    }

    private ScanResult ScanFrom(SyncRoot root, RelativePath start, bool recursive, bool force, FirstSightChunks? chunks = null)
    {
        var result = new ScanResult();
        var stored = store.GetUnder(root.Id, start);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;

        if (ParentsArePlainDirectories(root, start))
        {
            Visit(root, start, recursive, force, stored, seen, result, now, chunks);
        }

        foreach (var (path, entry) in stored)
        {
            if (seen.Contains(path)) continue;
            if (entry.Path.IsRoot) continue; // a vanished root pauses instead (CheckRoot)
            var tomb = LocalChangeDetector.Tombstone(entry, nodeId, now);
            if (tomb is not null) result.NewVersions.Add(tomb);
        }
        var ordered = LocalChangeDetector.OrderForLog(result.NewVersions);
        result.NewVersions.Clear();
        result.NewVersions.AddRange(ordered);
        return result;
    }

    private void Visit(SyncRoot root, RelativePath path, bool recursive, bool force,
        Dictionary<string, FileEntry> stored, HashSet<string> seen, ScanResult result, long now, FirstSightChunks? chunks)
    {
        if (ignore.IsIgnored(path)) return;
        var physical = Physical(root, path);
        if (!StatInfo.TryStat(LibC.AT_FDCWD, physical, 0, out var st, out _) || st.Kind is null) return;
        result.Examined++;

        stored.TryGetValue(path.Value, out var before);
        var seenObs = new LocalObservation(st.Kind.Value, st.Size, st.Mode, st.Uid, st.Gid, st.MtimeNs, st.CtimeNs, st.Inode);

        switch (st.Kind.Value)
        {
            case EntryKind.File:
                if (st.Size > maxFileBytes)
                {
                    LogTooLarge(root.Display(path), st.Size, maxFileBytes);
                    seen.Add(path.Value); // present: never turn it into a tombstone
                    return;
                }
                if (LocalChangeDetector.NeedsHash(before, seenObs, force))
                {
                    var hashed = Hash(physical, st);
                    if (hashed is null)
                    {
                        result.Unstable.Add(path);
                        seen.Add(path.Value);
                        return;
                    }
                    seenObs = hashed;
                }
                else seenObs = seenObs with { Sha256 = before!.Sha256 };
                break;
            case EntryKind.Symlink:
                var target = ReadLink(physical);
                if (target is null || (!allowOutsideLinks && !SymlinkTargetPolicy.StaysInsideRoot(path, target)))
                {
                    LogLinkRefused(root.Display(path), target ?? "?");
                    seen.Add(path.Value);
                    return;
                }
                seenObs = seenObs with { LinkTarget = target };
                break;
        }

        seen.Add(path.Value);
        var (kind, entry) = LocalChangeDetector.Evaluate(root.Id, path, before, seenObs, nodeId, now);
        if (kind == LocalChangeKind.NewVersion)
        {
            if (chunks is null || !chunks.TryTake(before, entry!)) result.NewVersions.Add(entry!);
        }
        else if (st.Kind == EntryKind.Directory) chunks?.Inherit(path);
        if (kind == LocalChangeKind.HintsOnly) result.HintUpdates.Add(entry!);

        bool isNewDir = before is null || before.Deleted || before.Kind != EntryKind.Directory;
        if (st.Kind == EntryKind.Directory && (recursive || isNewDir))
        {
            IEnumerable<string> names;
            try
            {
                names = Directory.EnumerateFileSystemEntries(physical).Select(Path.GetFileName).OfType<string>().ToList();
            }
            catch (IOException) { return; }
            catch (UnauthorizedAccessException) { return; }
            foreach (var name in names)
            {
                if (!RelativePath.IsValidSegment(name, out _) || ignore.IsIgnoredName(name)) continue;
                Visit(root, path.Append(name), true, force, stored, seen, result, now, chunks);
            }
        }
        else if (st.Kind == EntryKind.Directory)
        {
            // Not descending: children keep their entries.
            foreach (var key in stored.Keys)
            {
                if (key.StartsWith(path.Value + "/", StringComparison.Ordinal) || path.IsRoot) seen.Add(key);
            }
        }
    }

    /// <summary>Hash a regular file, opened without following links; null when it changed meanwhile.</summary>
    private static LocalObservation? Hash(string physical, StatInfo before)
    {
        int fd = LibC.OpenAt(LibC.AT_FDCWD, physical, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC | LibC.O_NONBLOCK, 0);
        if (fd < 0) return null;
        using var owned = new FileDescriptor(fd);
        var st = StatInfo.FStat(owned.Fd);
        if (st.Kind != EntryKind.File) return null;
        using var stream = new FileStream(owned.ToSafeFileHandle(), FileAccess.Read, 1);
        var sha = Convert.ToHexStringLower(SHA256.HashData(stream));
        var after = StatInfo.FStat((int)stream.SafeFileHandle.DangerousGetHandle());
        if (after.Size != st.Size || after.MtimeNs != st.MtimeNs || after.CtimeNs != st.CtimeNs) return null;
        _ = before;
        return new LocalObservation(EntryKind.File, st.Size, st.Mode, st.Uid, st.Gid, st.MtimeNs, st.CtimeNs, st.Inode, sha);
    }

    internal static unsafe string? ReadLink(string physical)
    {
        var buf = new byte[4097];
        fixed (byte* p = buf)
        {
            var n = LibC.ReadlinkAt(LibC.AT_FDCWD, physical, p, buf.Length);
            return n <= 0 || n >= buf.Length ? null : Encoding.UTF8.GetString(buf, 0, (int)n);
        }
    }

    private string? CheckRoot(SyncRoot root, bool fullRoot)
    {
        var st = StatInfo.LStat(root.PhysicalPath);
        if (st is null || st.Value.Kind is null or EntryKind.Symlink)
        {
            // A root this node never had (new node) simply waits for its first version from a peer.
            bool known = store.GetRoot(root.Id).Values.Any(e => !e.Deleted);
            return known ? $"root {root.Id} is missing" : NotYetPresent;
        }
        var marker = store.GetRootMarker(root.Id);
        if (marker is { } m && m.Device != st.Value.Device)
            return $"root {root.Id} is on another device than before (unmounted disk?)";
        if (st.Value.Kind == EntryKind.Directory)
        {
            // An unmounted disk or a wiped tree looks like "delete everything". A root with a
            // single entry may legitimately lose it, so only a loss of several entries pauses.
            bool empty = !Directory.EnumerateFileSystemEntries(root.PhysicalPath)
                .Any(p => !ignore.IsIgnoredName(Path.GetFileName(p)));
            if (empty && store.CountLive(root.Id) > 1)
                return $"root {root.Id} is empty but the index lists files";
        }
        _ = fullRoot;
        if (marker is null || marker.Value.Inode != st.Value.Inode) store.SetRootMarker(root.Id, st.Value.Device, st.Value.Inode);
        return null;
    }

    private static bool ParentsArePlainDirectories(SyncRoot root, RelativePath path)
    {
        var p = path;
        while (!p.IsRoot)
        {
            p = p.Parent;
            if (p.IsRoot) break;
            if (StatInfo.LStat(Physical(root, p)) is not { Kind: EntryKind.Directory }) return false;
        }
        return true;
    }

    internal static string Physical(SyncRoot root, RelativePath path) =>
        path.IsRoot ? root.PhysicalPath : root.PhysicalPath + "/" + path.Value;
}
