using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Scanning;

/// <summary>"Look at this path" from the watcher; <see cref="Recursive"/> when a directory appeared.</summary>
public readonly record struct ScanHint(string Root, RelativePath Path, bool Recursive);
