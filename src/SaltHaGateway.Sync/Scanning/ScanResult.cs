using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Scanning;

/// <summary>
/// Outcome of scanning (part of) one root. <see cref="PauseReason"/> set means the root looked
/// unsafe (missing, emptied, other device) and nothing from it may be committed or applied.
/// </summary>
public sealed class ScanResult
{
    public string? PauseReason { get; init; }
    public List<FileEntry> NewVersions { get; } = [];
    public List<FileEntry> HintUpdates { get; } = [];
    /// <summary>Files that changed while being hashed: look again shortly.</summary>
    public List<RelativePath> Unstable { get; } = [];
    public int Examined { get; set; }
}
