using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Watching;

public enum WatchEventKind
{
    /// <summary>Look at this path (recursively when a directory appeared).</summary>
    Path,
    /// <summary>The root itself was created, deleted or replaced: rescan it.</summary>
    RootChanged,
    /// <summary>Events were lost (queue overflow, watch limit): rescan everything.</summary>
    Overflow,
}

/// <remarks><see cref="ContentWritten"/>: a file was closed after writing (IN_CLOSE_WRITE), so its content must be re-read even when
/// its stat looks unchanged. Other hints (created, moved in, attributes) are settled by the stat comparison with the index.</remarks>
public readonly record struct WatchEvent(WatchEventKind Kind, string Root, RelativePath Path, bool Recursive, bool ContentWritten = false);
