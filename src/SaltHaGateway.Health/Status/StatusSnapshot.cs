namespace SaltHaGateway.Health;

/// <summary>
/// One status-page row. The first eight fields are the module's columns; the rest are extras
/// (HAProxy-style last result, duration and transition counts) for richer consumers.
/// </summary>
public sealed record StatusRow(
    int Index,
    string Upstream,
    string Name,
    bool IsUp,
    long Rise,
    long Fall,
    string Type,
    int Port)
{
    public long Checks { get; init; }
    public string? LastReason { get; init; }
    public string? LastDetail { get; init; }
    public TimeSpan? LastDuration { get; init; }
    public DateTimeOffset? LastCheckAt { get; init; }
    public DateTimeOffset? LastChangeAt { get; init; }
    public long TimesDown { get; init; }
    /// <summary>Timed-out checks not counted because this process was starved of CPU.</summary>
    public long Discarded { get; init; }
    /// <summary>The last results, oldest first (at most 32): '+' passed, '-' failed.</summary>
    public string Recent { get; init; } = "";
}

/// <summary>What the status page shows: the configuration generation (1 after start, +1 per reload) and the rows in global index order.</summary>
public sealed record StatusSnapshot(long Generation, IReadOnlyList<StatusRow> Rows)
{
    public static StatusSnapshot Empty { get; } = new(0, []);
}
