using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Apply;

internal sealed partial class ChangeApplier
{
    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Refused change from {Peer} for {Path}: {Reason}")]
    private partial void LogRefused(string peer, string path, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Information,
        Message = "{Path}: {Action} ({Reason}); origin {Origin} via {Peer}; local {LocalVersion} [{LocalState}] remote {RemoteVersion} [{RemoteState}]")]
    private partial void LogDecision(string path, ConflictAction action, string reason, string origin, string peer,
        string localVersion, string remoteVersion, string localState, string remoteState);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Warning, Message = "Could not apply change from {Peer} for {Path} (will retry): {Error}")]
    private partial void LogApplyFailed(string peer, string path, string error);

    [LoggerMessage(EventId = 4204, Level = LogLevel.Critical,
        Message = "ALERT {Path}: {Reason}; local sha256 {LocalSha}, remote sha256 {RemoteSha} from {Origin}")]
    private partial void LogAlert(string path, string reason, string localSha, string remoteSha, string origin);
}
