namespace SaltHaGateway.Sync.Core;

/// <summary>What a scan saw on disk for one path (content hash only when it was computed).</summary>
public sealed record LocalObservation(
    EntryKind Kind, long Size, int Mode, int Uid, int Gid, long MtimeNs, long CtimeNs, long Inode,
    string? Sha256 = null, string? LinkTarget = null);
