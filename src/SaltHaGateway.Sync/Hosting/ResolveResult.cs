using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Hosting;

public enum ResolveStatus { Resolved, NotFound, Refused, Unavailable, Failed }

/// <summary>Outcome of resolving one conflict; <see cref="Message"/> says why when it was refused.</summary>
public sealed record ResolveResult(ResolveStatus Status, string Message, ConflictRecord? Conflict = null)
{
    /// <summary>The index entry written for the kept version.</summary>
    public FileEntry? Entry { get; init; }

    /// <summary>Older open conflicts on the same path that the new version also settled.</summary>
    public IReadOnlyList<long> AlsoClosed { get; init; } = [];

    public static ResolveResult Refuse(ResolveStatus status, string message, ConflictRecord? conflict = null) => new(status, message, conflict);
}
