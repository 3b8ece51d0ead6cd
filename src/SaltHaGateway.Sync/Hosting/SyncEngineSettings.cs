namespace SaltHaGateway.Sync.Hosting;

/// <summary>
/// Knobs that are not public configuration. <see cref="RootPrefix"/> places every root under a
/// directory (tests run several nodes on one machine without mount namespaces).
/// </summary>
internal sealed record SyncEngineSettings
{
    public string? RootPrefix { get; init; }
    public TimeSpan PollWait { get; init; } = TimeSpan.FromSeconds(25);
}
