using System.Security.Cryptography;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.Scanning;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// An operator's decision on an open conflict. The kept version is indexed with a vector that
/// dominates both sides and a new local sequence, so every peer applies it instead of freezing
/// again. A kept remote version is written from the conflict store through the same staged
/// write (mode, owner, mtime, fsync, rename) as every applied change. The caller holds the
/// engine gate.
/// </summary>
internal sealed class ConflictResolver(
    RootRegistry roots, ChangeLog log, TreeScanner scanner, DiskWriter disk, string conflictDirectory, long maxFileBytes, TimeProvider time)
{
    private SyncStateStore Store => log.Store;

    public ResolveResult Resolve(long id, KeepSide keep)
    {
        var c = Store.GetConflict(id);
        if (c is null) return ResolveResult.Refuse(ResolveStatus.NotFound, $"no conflict with id {id}");
        if (!c.Open) return ResolveResult.Refuse(ResolveStatus.Refused, $"conflict {id} ({c.Root}/{c.Path}) is already closed", c);
        var root = roots.Find(c.Root);
        if (root is null) return ResolveResult.Refuse(ResolveStatus.Refused, $"root {c.Root} of conflict {id} is not configured on this node", c);
        if (roots.PauseReason(root.Id) is { } pause) return ResolveResult.Refuse(ResolveStatus.Refused, $"root {root.Id} is paused: {pause}", c);
        if (!RelativePath.TryParse(c.Path, out var path, out var pathError) || !VersionVector.TryParse(c.RemoteVersion, out var remoteVersion, out pathError))
            return ResolveResult.Refuse(ResolveStatus.Refused, $"conflict {id} cannot be resolved: {pathError}", c);
        if (keep == KeepSide.Remote && c.StoredCopy is null)
            return ResolveResult.Refuse(ResolveStatus.Refused, $"conflict {id} has no stored copy of the remote version (it was a deletion, not a file, or could not be saved); keep=local or restore the file by hand", c);

        // Index the disk as it is now: an edit since the freeze is what "local" means.
        var scan = scanner.ScanHint(root, path, recursive: false);
        if (scan.PauseReason is not null) return ResolveResult.Refuse(ResolveStatus.Refused, $"root {root.Id} is paused: {scan.PauseReason}", c);
        log.Append(scan.NewVersions, scan.HintUpdates);
        var local = Store.Get(root.Id, path);
        if (local is null) return ResolveResult.Refuse(ResolveStatus.Refused, $"{root.Display(path)} is not in the index", c);

        var version = ConflictResolution.ResolvedVersion(local.Version, remoteVersion, scanner.NodeId);
        var nowNs = time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L;
        FileEntry entry;
        if (keep == KeepSide.Local)
        {
            entry = local with { Version = version, OriginNode = scanner.NodeId, OriginTimeNs = nowNs, ReceivedFrom = null };
        }
        else
        {
            var data = ReadStoredCopy(c.StoredCopy!, root.Display(path));
            var sha = Convert.ToHexStringLower(SHA256.HashData(data));
            var described = ConflictResolution.ParseFileDescription(c.RemoteDescription);
            if (described is { } d && (d.Sha256 != sha || d.Size != data.LongLength))
                return ResolveResult.Refuse(ResolveStatus.Refused, $"stored copy {c.StoredCopy} does not match the remote version's sha256 {d.Sha256}", c);
            // The remote version's own mode and owner; if unknown, keep what the path has here.
            var (mode, uid, gid) = described is { } m ? (m.Mode, m.Uid, m.Gid)
                : local is { Deleted: false, Kind: EntryKind.File } ? (local.Mode, local.Uid, local.Gid) : (0b110_000_000, 0, 0);
            entry = new FileEntry
            {
                Root = root.Id, Path = path, Kind = EntryKind.File, Sha256 = sha, Size = data.LongLength, Mode = mode, Uid = uid, Gid = gid,
                MtimeNs = nowNs, Version = version, OriginNode = scanner.NodeId, OriginTimeNs = nowNs,
            };
            var st = disk.WriteBytes(root, entry, data);
            entry = entry with { LocalCtimeNs = st?.CtimeNs ?? 0, LocalInode = st?.Inode ?? 0 };
        }
        var written = log.Append([entry])[0];
        Store.CloseConflict(id);
        var alsoClosed = Store.CloseSupersededConflicts(); // older conflicts on the same path are settled too
        return new ResolveResult(ResolveStatus.Resolved, $"{root.Display(path)}: kept the {(keep == KeepSide.Local ? "local" : "remote")} version", c with { Open = false })
        {
            Entry = written,
            AlsoClosed = alsoClosed.Select(x => x.Id).ToList(),
        };
    }

    private byte[] ReadStoredCopy(string storedCopy, string display)
    {
        // The record comes from our own database; still only read inside the conflict store.
        var full = Path.GetFullPath(storedCopy);
        var dir = Path.GetFullPath(conflictDirectory).TrimEnd('/') + "/";
        if (!full.StartsWith(dir, StringComparison.Ordinal))
            throw new PathRefusedException($"stored copy {storedCopy} of {display} is outside {conflictDirectory}");
        using var f = new FileStream(full, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Options = FileOptions.None });
        if (f.Length > maxFileBytes) throw new InvalidDataException($"stored copy {storedCopy} is over the {maxFileBytes}-byte limit");
        var data = new byte[f.Length];
        f.ReadExactly(data);
        return data;
    }
}
