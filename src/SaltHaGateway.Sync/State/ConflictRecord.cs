namespace SaltHaGateway.Sync.State;

/// <summary>One logged conflict decision (also listed on /sync/status).</summary>
public sealed record ConflictRecord(
    long Id, string Root, string Path, string PathClass, string Action, string Reason, bool Alert,
    string LocalVersion, string RemoteVersion, string LocalDescription, string RemoteDescription,
    string RemoteNode, string? StoredCopy, long AtNs, bool Open);
