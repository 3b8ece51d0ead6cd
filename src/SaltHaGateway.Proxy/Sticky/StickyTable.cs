using System.Security.Cryptography;
using System.Text;

namespace SaltHaGateway.Proxy.Sticky;

/// <summary>
/// The bindings of one <c>sticky learn</c> zone: session value → server (host:port). Bounded by the zone size (the
/// least recently used binding is evicted and counted), and a binding not used for the timeout is forgotten. Session
/// values are kept only as a 128-bit SHA-256 prefix: a salt-api token never sits in this table or on the peer link.
/// </summary>
public sealed class StickyTable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<UInt128, LinkedListNode<Binding>> _map = new();
    private readonly LinkedList<Binding> _lru = new(); // most recently used first
    private readonly TimeProvider _time;
    private readonly Action<StickyTable, UInt128>? _publish;
    private readonly long _timeoutMs;
    private readonly long _republishMs;

    public StickyTable(string upstream, StickyOptions options, TimeProvider time, Action<StickyTable, UInt128>? publish, StickyCounters? counters = null)
    {
        Counters = counters ?? new StickyCounters();
        Upstream = upstream;
        Options = options;
        _time = time;
        _publish = options.Sync ? publish : null;
        _timeoutMs = (long)options.Timeout.TotalMilliseconds;
        // A binding kept alive by use here must stay alive on the peers too: its use is sent again now and then.
        _republishMs = Math.Max(1000, _timeoutMs / 20);
    }

    public string Upstream { get; }
    public StickyOptions Options { get; }
    public int Capacity => Options.Capacity;

    /// <summary>Kept across a reload that replaces the table.</summary>
    public StickyCounters Counters { get; }

    public int Count
    {
        get { lock (_gate) return _map.Count; }
    }

    /// <summary>The server bound to a session value, refreshing its idle timeout; null when unknown or expired.</summary>
    public string? Lookup(UInt128 key)
    {
        var now = Now();
        var publish = false;
        string server;
        lock (_gate)
        {
            if (!_map.TryGetValue(key, out var node)) return null;
            var b = node.Value;
            if (now - b.LastUsed >= _timeoutMs)
            {
                Remove(node);
                return null;
            }
            b.LastUsed = now;
            MoveToFront(node);
            if (_publish is not null && now - b.PublishedUse >= _republishMs)
            {
                b.PublishedUse = now;
                publish = true;
            }
            server = b.Server;
        }
        if (publish) _publish!(this, key);
        return server;
    }

    /// <summary>Binds a session value to the server that created it (nginx: the create variable of its response).</summary>
    public void Learn(UInt128 key, string server)
    {
        var now = Now();
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                var b = node.Value;
                if (b.Server == server && now - b.PublishedUse < _republishMs)
                {
                    b.LastUsed = now;
                    MoveToFront(node);
                    return;
                }
                b.Server = server;
                b.LearnedAt = now;
                b.LastUsed = b.PublishedUse = now;
                MoveToFront(node);
            }
            else
            {
                Insert(new Binding(key, server, now, now) { PublishedUse = now });
                Interlocked.Increment(ref Counters.Learned);
            }
        }
        _publish?.Invoke(this, key);
    }

    /// <summary>
    /// A binding from a peer. The one learned later wins, so a binding that arrives late never overrides a newer
    /// one; the last use is the later of both. Not published again (each peer sends its own).
    /// </summary>
    public void Merge(UInt128 key, string server, long learnedAt, long lastUsed)
    {
        var now = Now();
        lock (_gate)
        {
            if (_map.TryGetValue(key, out var node))
            {
                var b = node.Value;
                if (learnedAt > b.LearnedAt || (learnedAt == b.LearnedAt && string.CompareOrdinal(server, b.Server) > 0))
                {
                    b.Server = server;
                    b.LearnedAt = learnedAt;
                }
                if (lastUsed > b.LastUsed)
                {
                    b.LastUsed = lastUsed;
                    MoveToFront(node);
                }
                return;
            }
            if (now - lastUsed >= _timeoutMs) return;
            Insert(new Binding(key, server, learnedAt, lastUsed) { PublishedUse = now });
        }
    }

    /// <summary>A binding as the peer link carries it, or null when it is gone.</summary>
    public (string Server, long LearnedAt, long LastUsed)? Get(UInt128 key)
    {
        lock (_gate)
        {
            return _map.TryGetValue(key, out var node) ? (node.Value.Server, node.Value.LearnedAt, node.Value.LastUsed) : null;
        }
    }

    /// <summary>Every live binding, most recently used first (a peer that connects gets all of them).</summary>
    public List<(UInt128 Key, string Server, long LearnedAt, long LastUsed)> Snapshot()
    {
        var now = Now();
        lock (_gate)
        {
            var list = new List<(UInt128, string, long, long)>(_map.Count);
            foreach (var b in _lru)
            {
                if (now - b.LastUsed < _timeoutMs) list.Add((b.Key, b.Server, b.LearnedAt, b.LastUsed));
            }
            return list;
        }
    }

    /// <summary>Copies the bindings of the table this one replaces (a reload that changed the zone size or timeout).</summary>
    public void CopyFrom(StickyTable old)
    {
        var entries = old.Snapshot();
        for (var i = entries.Count - 1; i >= 0; i--)
        {
            var (key, server, learned, used) = entries[i];
            Merge(key, server, learned, used);
        }
    }

    /// <summary>The table key of a session value.</summary>
    public static UInt128 KeyOf(ReadOnlySpan<char> value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var buffer = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(value, buffer);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(buffer[..n], hash);
        return new UInt128(BitConverter.ToUInt64(hash), BitConverter.ToUInt64(hash[8..]));
    }

    private void Insert(Binding binding)
    {
        var now = Now();
        // Expired bindings go first, then the least recently used ones while the zone is full.
        while (_lru.Last is { } last && now - last.Value.LastUsed >= _timeoutMs) Remove(last);
        while (_map.Count >= Capacity && _lru.Last is { } lru)
        {
            Remove(lru);
            Interlocked.Increment(ref Counters.Evictions);
        }
        _map[binding.Key] = _lru.AddFirst(binding);
    }

    private void Remove(LinkedListNode<Binding> node)
    {
        _lru.Remove(node);
        _map.Remove(node.Value.Key);
    }

    private void MoveToFront(LinkedListNode<Binding> node)
    {
        if (node.Previous is null) return;
        _lru.Remove(node);
        _lru.AddFirst(node);
    }

    private long Now() => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private sealed class Binding(UInt128 key, string server, long learnedAt, long lastUsed)
    {
        public UInt128 Key { get; } = key;
        public string Server = server;
        public long LearnedAt = learnedAt;
        public long LastUsed = lastUsed;
        public long PublishedUse;
    }
}

/// <summary>What a sticky upstream counts on the request path; exported by <see cref="StickyMetrics"/>.</summary>
public sealed class StickyCounters
{
    public long Hits;
    public long Misses;
    public long Learned;
    public long Evictions;
    public long Rebinds;
}
