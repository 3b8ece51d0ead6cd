using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Roots;
using SaltHaGateway.Sync.State;

namespace SaltHaGateway.Sync.Hosting;

// Operator resolution of conflicts (admin endpoints): list them, keep one side of an open one.
public sealed partial class SyncEngine
{
    private ConflictResolver? _resolver;

    /// <summary>Sets <c>saltha_sync_open_conflicts</c> (called before each scrape).</summary>
    public void UpdateOpenConflictsMetric()
    {
        if (_running && _store is { } store) _metrics.OpenConflicts.Set(store.CountOpenConflicts());
    }

    /// <summary>Conflict records, newest first (open and closed).</summary>
    public IReadOnlyList<ConflictRecord> ListConflicts(int limit = 200)
    {
        if (!_running || _store is not { } store) return [];
        CloseSupersededConflicts();
        return store.ListConflicts(Math.Clamp(limit, 1, 10_000));
    }

    /// <summary>
    /// Keeps one side of an open conflict: the kept version gets a vector dominating both sides,
    /// so every peer applies it. Runs under the gate: never interleaves with scans or applies.
    /// </summary>
    public async Task<ResolveResult> ResolveConflictAsync(long id, KeepSide keep, CancellationToken ct)
    {
        if (!_running || _resolver is not { } resolver) return ResolveResult.Refuse(ResolveStatus.Unavailable, "config sync is not running");
        ResolveResult result;
        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            result = resolver.Resolve(id, keep);
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException or PathRefusedException)
        {
            result = ResolveResult.Refuse(ResolveStatus.Failed, $"conflict {id}: {ex.Message}");
        }
        finally
        {
            _gate.Release();
        }
        var side = keep == KeepSide.Local ? "local" : "remote";
        if (result.Status == ResolveStatus.Resolved)
        {
            var c = result.Conflict!;
            _metrics.ConflictsResolved.WithLabels("keep_" + side).Inc();
            LogConflictResolved(id, c.Root + "/" + c.Path, side, c.LocalVersion, c.RemoteVersion, result.Entry!.Version.ToString(),
                result.Entry.Describe(), result.Entry.Sequence);
            foreach (var other in result.AlsoClosed.Where(x => x != id)) LogConflictSuperseded(other, c.Root + "/" + c.Path, result.Entry.Version.ToString());
        }
        else LogConflictNotResolved(id, side, result.Message);
        return result;
    }

    /// <summary>A resolution made on a peer (or identical edits) arrived: its conflicts here are settled.</summary>
    private void CloseSupersededConflicts()
    {
        foreach (var c in _store!.CloseSupersededConflicts())
        {
            _metrics.ConflictsResolved.WithLabels("superseded").Inc();
            LogConflictSuperseded(c.Id, c.Root + "/" + c.Path, _store.Get(c.Root, RelativePath.Parse(c.Path))?.Version.ToString() ?? "-");
        }
    }

    [LoggerMessage(EventId = 4450, Level = LogLevel.Warning,
        Message = "Conflict {Id} on {Path} resolved by operator: kept {Side} (local was {LocalVersion}, remote {RemoteVersion}); now {Version} {State} seq {Sequence}")]
    private partial void LogConflictResolved(long id, string path, string side, string localVersion, string remoteVersion, string version, string state, long sequence);

    [LoggerMessage(EventId = 4451, Level = LogLevel.Information, Message = "Conflict {Id} on {Path} closed: version {Version} covers both sides")]
    private partial void LogConflictSuperseded(long id, string path, string version);

    [LoggerMessage(EventId = 4452, Level = LogLevel.Warning, Message = "Conflict {Id} not resolved (keep={Side}): {Reason}")]
    private partial void LogConflictNotResolved(long id, string side, string reason);
}
