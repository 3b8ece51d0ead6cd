using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Sync.Hosting;

public sealed partial class SyncEngine
{
    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "Config sync started: node {NodeId}, {Roots} roots, {Peers} peers")]
    private partial void LogStarted(string nodeId, int roots, int peers);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Critical, Message = "ALERT root {Root} paused: {Reason}. Nothing is sent or applied for it until this clears")]
    private partial void LogRootPaused(string root, string reason);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "Root {Root} resumed; re-reading peers' change logs")]
    private partial void LogRootResumed(string root);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "Local change {Path}: {State} version {Version} seq {Sequence}")]
    private partial void LogLocalChange(string path, string state, string version, long sequence);

    [LoggerMessage(EventId = 4005, Level = LogLevel.Information, Message = "Collected {Count} tombstones acknowledged by every peer")]
    private partial void LogTombstonesCollected(int count);

    [LoggerMessage(EventId = 4006, Level = LogLevel.Warning,
        Message = "Root {Root} is a mount point: staging in {Staging} (hidden, never synced); add it to Salt's file_ignore_regex if the root is served")]
    private partial void LogStagingInsideRoot(string root, string staging);
}
