namespace SaltHaGateway.Sync.Hosting;

/// <summary>
/// Knobs that are not public configuration. <see cref="RootPrefix"/> places every root under a
/// directory (tests run several nodes on one machine without mount namespaces).
/// </summary>
internal sealed record SyncEngineSettings
{
    public string? RootPrefix { get; init; }
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(25);
    /// <summary>Entries asked for per changes request (tests make it small to exercise read-ahead).</summary>
    public int BatchSize { get; init; } = 2000;
    /// <summary>Tests close this to stop the watcher from reading, so the kernel queue really overflows.</summary>
    public ManualResetEventSlim? WatcherReadGate { get; init; }
}
