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

public readonly record struct WatchEvent(WatchEventKind Kind, string Root, RelativePath Path, bool Recursive);
