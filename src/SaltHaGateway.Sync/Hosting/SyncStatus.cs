using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Hosting;

/// <summary>Body of GET /sync/status.</summary>
public sealed record SyncStatus(bool Enabled, string? NodeId, string? Fingerprint, bool Healthy, long Sequence,
    IReadOnlyList<RootStatus> Roots, IReadOnlyList<PeerStatus> Peers, IReadOnlyList<ConflictRecord> Conflicts);

/// <summary><see cref="State"/> is one of in-sync, pending, conflict, paused.</summary>
public sealed record RootStatus(string Root, string State, string? PauseReason, long PendingChanges, int OpenConflicts, DateTimeOffset? LastFullScan);

public sealed record PeerStatus(string Url, string NodeId, bool Connected, DateTimeOffset? LastSeen, long SequenceAcked,
    long SequenceReceived, long PendingChanges, string? LastError);
