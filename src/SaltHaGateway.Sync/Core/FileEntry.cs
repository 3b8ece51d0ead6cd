namespace SaltHaGateway.Sync.Core;

/// <summary>
/// What one node knows about one path: the replicated content and metadata, its version vector,
/// and the local bookkeeping (sequence, local stat hints) that never leaves the node.
/// </summary>
public sealed record FileEntry
{
    public required string Root { get; init; }
    public required RelativePath Path { get; init; }
    public required EntryKind Kind { get; init; }
    public bool Deleted { get; init; }

    /// <summary>Lower-case hex SHA-256 of the bytes (files only).</summary>
    public string? Sha256 { get; init; }
    public long Size { get; init; }
    /// <summary>Permission bits including setuid/setgid/sticky (st_mode &amp; 07777).</summary>
    public int Mode { get; init; }
    public int Uid { get; init; }
    public int Gid { get; init; }
    public long MtimeNs { get; init; }
    public string? LinkTarget { get; init; }

    public required VersionVector Version { get; init; }
    /// <summary>Node that made the last change and its wall clock at that moment (Unix ns).</summary>
    public required string OriginNode { get; init; }
    public long OriginTimeNs { get; init; }

    /// <summary>Local sequence number: position in this node's change log (delta exchange).</summary>
    public long Sequence { get; init; }

    // Local-only change hints: never replicated.
    public long LocalCtimeNs { get; init; }
    public long LocalInode { get; init; }
    /// <summary>Peer node id this exact version was received from (not offered back to it).</summary>
    public string? ReceivedFrom { get; init; }

    /// <summary>
    /// True when both describe the same thing on disk, ignoring versions and mtimes: the test for
    /// a "false conflict" (concurrent versions that happen to be identical).
    /// </summary>
    public bool SameContent(FileEntry other)
    {
        if (Deleted || other.Deleted) return Deleted == other.Deleted;
        return Kind == other.Kind
            && Mode == other.Mode && Uid == other.Uid && Gid == other.Gid
            && Kind switch
            {
                EntryKind.File => Sha256 == other.Sha256 && Size == other.Size,
                EntryKind.Symlink => LinkTarget == other.LinkTarget,
                _ => true,
            };
    }

    public string Describe() =>
        Deleted ? "deleted" : Kind switch
        {
            EntryKind.File => $"file sha256={Sha256} size={Size} mode={Convert.ToString(Mode, 8)} uid={Uid} gid={Gid}",
            EntryKind.Symlink => $"symlink -> {LinkTarget}",
            _ => $"dir mode={Convert.ToString(Mode, 8)} uid={Uid} gid={Gid}",
        };
}
