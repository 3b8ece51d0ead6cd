using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Sync.Scanning;

public sealed partial class TreeScanner
{
    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Not syncing {Path}: {Size} bytes is over the {Limit}-byte limit")]
    private partial void LogTooLarge(string path, long size, long limit);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Not syncing symlink {Path} -> {Target}: target leaves the root")]
    private partial void LogLinkRefused(string path, string target);
}
