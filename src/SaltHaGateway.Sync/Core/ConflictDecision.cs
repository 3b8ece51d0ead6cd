namespace SaltHaGateway.Sync.Core;

public enum ConflictAction
{
    /// <summary>Nothing to do: the local version is equal or newer.</summary>
    Ignore,
    /// <summary>The remote version dominates: write it to disk.</summary>
    Apply,
    /// <summary>Concurrent but identical: keep the disk, store the merged version vector.</summary>
    MergeVersions,
    /// <summary>Real conflict won locally: keep the disk, store the merged vector (peers follow).</summary>
    KeepLocal,
    /// <summary>Real conflict won remotely: move the local version to the conflict store, apply the remote.</summary>
    TakeRemote,
    /// <summary>Never auto-resolved: leave the path as is and raise an alert.</summary>
    Freeze,
}

/// <summary>Outcome of comparing a local and a remote entry for one path.</summary>
public sealed record ConflictDecision(ConflictAction Action, bool IsConflict, bool Alert, string Reason)
{
    /// <summary>The version vector to store after acting (merged for conflicts).</summary>
    public VersionVector? ResultVersion { get; init; }
}
