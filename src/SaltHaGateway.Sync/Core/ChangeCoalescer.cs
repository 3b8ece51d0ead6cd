namespace SaltHaGateway.Sync.Core;

/// <summary>
/// Turns a stream of "this path was touched" hints into batches: a path is due once it has been
/// quiet for <see cref="Quiet"/>, or at the latest <see cref="MaxDelay"/> after its first hint, so a
/// burst of writes to one file is examined once and becomes one version.
/// </summary>
public sealed class ChangeCoalescer<TKey> where TKey : notnull
{
    private readonly TimeProvider _time;
    private readonly Dictionary<TKey, (long First, long Last)> _pending = new();

    public ChangeCoalescer(TimeProvider time, TimeSpan quiet, TimeSpan maxDelay)
    {
        if (quiet < TimeSpan.Zero || maxDelay < quiet) throw new ArgumentOutOfRangeException(nameof(maxDelay));
        _time = time;
        Quiet = quiet;
        MaxDelay = maxDelay;
    }

    public TimeSpan Quiet { get; }
    public TimeSpan MaxDelay { get; }
    public int Count => _pending.Count;

    public void Touch(TKey key)
    {
        var now = _time.GetTimestamp();
        _pending[key] = _pending.TryGetValue(key, out var t) ? (t.First, now) : (now, now);
    }

    /// <summary>Removes and returns every key that is due now.</summary>
    public List<TKey> TakeDue()
    {
        var due = new List<TKey>();
        foreach (var (key, t) in _pending)
        {
            if (IsDue(t)) due.Add(key);
        }
        foreach (var key in due) _pending.Remove(key);
        return due;
    }

    /// <summary>Time until the next key becomes due; null when nothing is pending.</summary>
    public TimeSpan? UntilNextDue()
    {
        if (_pending.Count == 0) return null;
        var best = TimeSpan.MaxValue;
        foreach (var t in _pending.Values)
        {
            var byQuiet = Quiet - _time.GetElapsedTime(t.Last);
            var byMax = MaxDelay - _time.GetElapsedTime(t.First);
            var wait = byQuiet < byMax ? byQuiet : byMax;
            if (wait < best) best = wait;
        }
        return best < TimeSpan.Zero ? TimeSpan.Zero : best;
    }

    private bool IsDue((long First, long Last) t) =>
        _time.GetElapsedTime(t.Last) >= Quiet || _time.GetElapsedTime(t.First) >= MaxDelay;
}
