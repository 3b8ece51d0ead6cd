using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Apply;

/// <summary>A validated entry from a peer's change log, with the content inline for small files.</summary>
public sealed record RemoteChange(FileEntry Entry, byte[]? Data);

/// <summary>Fetches the bytes of a remote file version that was not sent inline.</summary>
public interface IContentSource
{
    Task<Stream> OpenAsync(FileEntry entry, CancellationToken ct);
}

public enum ApplyOutcome
{
    /// <summary>Handled (applied, merged, ignored or conflict recorded): move past it.</summary>
    Done,
    /// <summary>Refused for good (unsafe path, policy): move past it.</summary>
    Refused,
    /// <summary>Could not be done now (root paused, I/O error): stop here and retry later.</summary>
    Retry,
}
