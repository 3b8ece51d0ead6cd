namespace SaltHaGateway.Sync.Core;

/// <summary>
/// Decides what to do with a remote entry given the local one. Version vectors decide causality;
/// only truly concurrent, different versions reach the per-class policy. Both nodes evaluate the
/// same inputs and reach the same winner, so they converge without a further round.
/// </summary>
public static class ConflictPolicy
{
    public static ConflictDecision Decide(FileEntry? local, FileEntry remote, PathClass pathClass)
    {
        if (local is null)
        {
            return new(ConflictAction.Apply, false, false, "new path") { ResultVersion = remote.Version };
        }

        switch (local.Version.Compare(remote.Version))
        {
            case VersionOrder.Equal:
            case VersionOrder.Dominates:
                return new(ConflictAction.Ignore, false, false, "local version is equal or newer");
            case VersionOrder.DominatedBy:
                return new(ConflictAction.Apply, false, false, "remote version dominates") { ResultVersion = remote.Version };
        }

        var merged = local.Version.Merge(remote.Version);
        if (local.SameContent(remote))
        {
            return new(ConflictAction.MergeVersions, false, false, "concurrent but identical") { ResultVersion = merged };
        }

        if (pathClass == PathClass.MasterKey)
        {
            return new(ConflictAction.Freeze, true, true, "master key changed on two nodes; frozen until an operator resolves it");
        }

        bool alert = pathClass == PathClass.MinionKey && !local.Deleted && !remote.Deleted;
        string alertNote = alert ? "; minion id has two different keys" : "";

        if (local.Deleted != remote.Deleted)
        {
            return local.Deleted
                ? new(ConflictAction.TakeRemote, true, alert, "modify versus delete: modification kept" + alertNote) { ResultVersion = merged }
                : new(ConflictAction.KeepLocal, true, alert, "modify versus delete: modification kept" + alertNote) { ResultVersion = merged };
        }

        bool remoteNewer = remote.OriginTimeNs != local.OriginTimeNs
            ? remote.OriginTimeNs > local.OriginTimeNs
            : string.CompareOrdinal(remote.OriginNode, local.OriginNode) > 0;
        return remoteNewer
            ? new(ConflictAction.TakeRemote, true, alert, "concurrent edits: remote edit is newer" + alertNote) { ResultVersion = merged }
            : new(ConflictAction.KeepLocal, true, alert, "concurrent edits: local edit is newer" + alertNote) { ResultVersion = merged };
    }
}
