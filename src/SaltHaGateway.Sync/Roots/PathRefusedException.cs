namespace SaltHaGateway.Sync.Roots;

/// <summary>A path that must never be read or written (outside a root, through a symlink, …).</summary>
public sealed class PathRefusedException(string message) : Exception(message);
