using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Observability;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.Scanning;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// Applies one remote entry: safety checks, bring the index up to date with the disk, ask the
/// conflict policy, write through <see cref="DiskWriter"/>, record the result. The caller holds
/// the engine gate, so scans and applies never interleave on the index.
/// </summary>
internal sealed partial class ChangeApplier(
    RootRegistry roots, ChangeLog log, TreeScanner scanner, DiskWriter disk, ConflictStore conflicts, IgnoreRules ignore,
    long maxFileBytes, bool allowOutsideLinks, TimeProvider time, SyncMetrics metrics, ILogger<ChangeApplier> logger,
    Action<PathClass> onApplied)
{
    private SyncStateStore Store => log.Store;
    public async Task<ApplyOutcome> ApplyAsync(string peer, RemoteChange change, IContentSource source, CancellationToken ct)
    {
        var e = change.Entry;
        _currentPeerSequence = e.Sequence;
        var root = roots.Find(e.Root);
        string display = root?.Display(e.Path) ?? e.Root + "/" + e.Path.Value;
        string? refusal = root is null ? "unknown root"
            : ignore.IsIgnored(e.Path) ? "ignored name"
            : e.Path.IsRoot && e.Deleted ? "a root is never deleted by a peer"
            : e.Kind == EntryKind.File && !e.Deleted && e.Size > maxFileBytes ? $"over the {maxFileBytes}-byte limit"
            : e.Kind == EntryKind.Symlink && !e.Deleted && !allowOutsideLinks && !SymlinkTargetPolicy.StaysInsideRoot(e.Path, e.LinkTarget ?? "")
                ? $"symlink target '{e.LinkTarget}' leaves the root" : null;
        if (refusal is not null)
        {
            LogRefused(peer, display, refusal);
            return ApplyOutcome.Refused;
        }
        if (roots.PauseReason(root!.Id) is not null) return ApplyOutcome.Retry;

        try
        {
            var local = Store.Get(root.Id, e.Path);
            if (!DiskMatches(root, e.Path, local))
            {
                // An edit the watcher has not reported yet: index it first, so it is never overwritten blindly.
                var scan = scanner.ScanHint(root, e.Path, recursive: false);
                if (scan.PauseReason is not null) return ApplyOutcome.Retry;
                log.Append(scan.NewVersions, scan.HintUpdates);
                local = Store.Get(root.Id, e.Path);
            }

            var pathClass = PathClassifier.Classify(root.Id, e.Path);
            var decision = ConflictPolicy.Decide(local, e, pathClass);
            if (decision.Action != ConflictAction.Ignore)
            {
                LogDecision(display, decision.Action, decision.Reason, e.OriginNode, peer, local?.Version.ToString() ?? "-",
                    e.Version.ToString(), local?.Describe() ?? "absent", e.Describe());
            }
            return await ExecuteAsync(peer, root, pathClass, local, change, decision, source, ct).ConfigureAwait(false);
        }
        catch (PathRefusedException ex)
        {
            LogRefused(peer, display, ex.Message);
            return ApplyOutcome.Refused;
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or HttpRequestException)
        {
            LogApplyFailed(peer, display, ex.Message);
            return ApplyOutcome.Retry;
        }
    }

    private async Task<ApplyOutcome> ExecuteAsync(string peer, SyncRoot root, PathClass pathClass, FileEntry? local,
        RemoteChange change, ConflictDecision decision, IContentSource source, CancellationToken ct)
    {
        var e = change.Entry;
        switch (decision.Action)
        {
            case ConflictAction.Ignore:
                return ApplyOutcome.Done;
            case ConflictAction.MergeVersions:
                Record(local! with { Version = decision.ResultVersion!, ReceivedFrom = null }, peer, pathClass, false);
                return ApplyOutcome.Done;
            case ConflictAction.KeepLocal:
                RecordConflict(root, pathClass, local!, change, decision, peer, await KeepRemoteCopyAsync(change, source, ct).ConfigureAwait(false));
                Record(local! with { Version = decision.ResultVersion!, ReceivedFrom = null }, peer, pathClass, false);
                return ApplyOutcome.Done;
            case ConflictAction.Freeze:
                RecordConflict(root, pathClass, local!, change, decision, peer, await KeepRemoteCopyAsync(change, source, ct).ConfigureAwait(false));
                return ApplyOutcome.Done;
            case ConflictAction.TakeRemote:
                string? copy = local is { Deleted: false, Kind: not EntryKind.Directory } ? conflicts.SaveFromDisk(root, local) : null;
                RecordConflict(root, pathClass, local!, change, decision, peer, copy);
                break;
        }

        bool isTakeRemote = decision.Action == ConflictAction.TakeRemote;
        var written = await WriteAsync(root, local, change, source, ct).ConfigureAwait(false);
        if (written is null)
        {
            // A directory deleted remotely still holds local files: the modification wins, the directory stays.
            Record(local! with { Version = local!.Version.Merge(e.Version).Increment(scanner.NodeId), ReceivedFrom = null }, peer, pathClass, false);
            return ApplyOutcome.Done;
        }
        var recorded = e with { Version = decision.ResultVersion ?? e.Version, ReceivedFrom = isTakeRemote ? null : peer };
        // A newer version with the same bytes, type, mode and owner (two trees that were already identical,
        // at most an mtime adopted) changes nothing a hook cares about: no "restart salt-master" for it.
        bool changesDisk = local is null || !local.SameContent(e);
        if (written.Length > 0 && _batch is not null)
        {
            _batch.Items.Add(new ApplyBatch.Item(recorded, e.Sequence, peer, pathClass)
                { Root = root, Staged = written, CountsAsApplied = true, ChangesDisk = changesDisk });
            return ApplyOutcome.Done;
        }
        var st = DiskWriter.Stat(root, e.Path);
        Record(recorded with { LocalCtimeNs = st?.CtimeNs ?? 0, LocalInode = st?.Inode ?? 0 }, peer, pathClass, true, changesDisk);
        return ApplyOutcome.Done;
    }

    /// <summary>
    /// The losing remote version, kept here too: its origin node may replace it before it looks
    /// at the conflict itself. Best effort; failure only loses the extra copy.
    /// </summary>
    private async Task<string?> KeepRemoteCopyAsync(RemoteChange change, IContentSource source, CancellationToken ct)
    {
        var e = change.Entry;
        if (e.Deleted || e.Kind != EntryKind.File) return null;
        try
        {
            if (change.Data is { } data) return conflicts.SaveBytes(e.Root, e.Path, e.OriginNode, data);
            await using var stream = await source.OpenAsync(e, ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return conflicts.SaveBytes(e.Root, e.Path, e.OriginNode, buffer.ToArray());
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            LogApplyFailed(e.OriginNode, e.Root + "/" + e.Path.Value, "could not keep a copy of the losing version: " + ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Null when a directory could not be removed because it is not empty; the staged file name
    /// when a file waits for the batch to rename it; "" when the disk is done.
    /// </summary>
    private async Task<string?> WriteAsync(SyncRoot root, FileEntry? local, RemoteChange change, IContentSource source, CancellationToken ct)
    {
        var e = change.Entry;
        if (e.Deleted) return disk.Delete(root, e.Path) ? "" : null;
        switch (e.Kind)
        {
            case EntryKind.Directory:
                disk.EnsureDirectory(root, e);
                return "";
            case EntryKind.Symlink:
                disk.WriteSymlink(root, e);
                return "";
        }
        if (local is { Deleted: false, Kind: EntryKind.File } && local.Sha256 == e.Sha256 && local.Size == e.Size)
        {
            disk.SetMetadata(root, e);
            return "";
        }
        if (change.Data is { } data)
        {
            if (_batch is not null) return disk.StageBytes(root, e, data, _batch.Durable);
            disk.WriteBytes(root, e, data);
            return "";
        }
        await using var content = await source.OpenAsync(e, ct).ConfigureAwait(false);
        if (_batch is not null) return await disk.StageFileAsync(root, e, content, _batch.Durable, ct).ConfigureAwait(false);
        await disk.WriteFileAsync(root, e, content, ct).ConfigureAwait(false);
        return "";
    }

    private static bool DiskMatches(SyncRoot root, RelativePath path, FileEntry? local)
    {
        var st = DiskWriter.Stat(root, path);
        if (local is null || local.Deleted) return st is null;
        if (st is not { } s || s.Kind != local.Kind) return false;
        return local.Kind switch
        {
            EntryKind.File => s.Size == local.Size && s.MtimeNs == local.MtimeNs && s.CtimeNs == local.LocalCtimeNs
                && s.Inode == local.LocalInode && s.Mode == local.Mode && s.Uid == local.Uid && s.Gid == local.Gid,
            EntryKind.Directory => s.Mode == local.Mode && s.Uid == local.Uid && s.Gid == local.Gid,
            _ => s.Inode == local.LocalInode && s.Uid == local.Uid && s.Gid == local.Gid,
        };
    }

    private void RecordConflict(SyncRoot root, PathClass pathClass, FileEntry local, RemoteChange change,
        ConflictDecision decision, string peer, string? storedCopy)
    {
        var e = change.Entry;
        metrics.Conflicts.WithLabels(pathClass.ToString(), decision.Action.ToString()).Inc();
        if (decision.Alert)
        {
            metrics.Alerts.WithLabels(pathClass == PathClass.MasterKey ? "master_key_frozen" : "minion_key_clash").Inc();
            LogAlert(root.Display(e.Path), decision.Reason, local.Sha256 ?? "-", e.Sha256 ?? "-", e.OriginNode);
        }
        Store.AddConflict(new ConflictRecord(0, root.Id, e.Path.Value, pathClass.ToString(), decision.Action.ToString(),
            decision.Reason, decision.Alert, local.Version.ToString(), e.Version.ToString(), local.Describe(), e.Describe(),
            e.OriginNode, storedCopy, time.GetUtcNow().ToUnixTimeMilliseconds() * 1_000_000L,
            Open: decision.Action == ConflictAction.Freeze));
        _ = peer;
    }
}
