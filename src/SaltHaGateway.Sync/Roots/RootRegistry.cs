using System.Collections.Concurrent;

namespace SaltHaGateway.Sync.Roots;

/// <summary>The configured roots of this node and which of them a safety check has paused.</summary>
public sealed class RootRegistry
{
    private readonly Dictionary<string, SyncRoot> _roots;
    private readonly ConcurrentDictionary<string, string> _paused = new(StringComparer.Ordinal);

    public RootRegistry(IEnumerable<SyncRoot> roots) => _roots = roots.ToDictionary(r => r.Id, StringComparer.Ordinal);

    public IReadOnlyCollection<SyncRoot> All => _roots.Values;

    public SyncRoot? Find(string id) => _roots.GetValueOrDefault(id);

    public string? PauseReason(string id) => _paused.GetValueOrDefault(id);

    /// <summary>Returns true when the state changed.</summary>
    public bool SetPaused(string id, string? reason)
    {
        if (reason is null) return _paused.TryRemove(id, out _);
        var changed = !_paused.ContainsKey(id);
        _paused[id] = reason;
        return changed;
    }
}
