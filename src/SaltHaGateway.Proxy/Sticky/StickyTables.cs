using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace SaltHaGateway.Proxy.Sticky;

/// <summary>
/// Every <c>sticky learn</c> table of this gateway, by upstream, and their replication to the other gateways. A table
/// survives a reload that keeps its directive (and keeps its bindings when the zone or timeout changes).
/// <para>Replication is pulled: a peer asks for the changes after its cursor (long-polled) and gets the bindings that
/// changed since, or all of them when the cursor is from another run of this process or too old. Only tables with
/// <c>sync</c> take part.</para>
/// </summary>
public sealed class StickyTables
{
    /// <summary>Recent changes kept for peers that are behind; older cursors get a full snapshot.</summary>
    private const int ChangeRingSize = 16_384;

    private readonly ConcurrentDictionary<string, StickyTable> _tables = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, StickyCounters> _cookieCounters = new(StringComparer.OrdinalIgnoreCase);
    private readonly TimeProvider _time;
    private readonly StickyMetrics _metrics;
    private readonly string _epoch = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
    private readonly Lock _changesGate = new();
    private readonly Queue<(long Seq, StickyTable Table, UInt128 Key)> _changes = new();
    private long _seq;
    private TaskCompletionSource _changed = NewSignal();

    public StickyTables(TimeProvider time, StickyMetrics metrics)
    {
        _time = time;
        _metrics = metrics;
    }

    public IEnumerable<StickyTable> All => _tables.Values;

    /// <summary>What each peer has sent: bindings received, the lag of the newest one when applied, when it last answered.</summary>
    public IReadOnlyDictionary<string, PeerReplication> Peers => _peers;

    private readonly ConcurrentDictionary<string, PeerReplication> _peers = new();

    public bool AnySync => _tables.Values.Any(t => t.Options.Sync);

    /// <summary>The table of an upstream's <c>sticky learn</c>, created or replaced when the directive changed.</summary>
    public StickyTable For(string upstream, StickyOptions options)
    {
        if (_tables.TryGetValue(upstream, out var current) && current.Options == options) return current;
        lock (_tables)
        {
            if (_tables.TryGetValue(upstream, out current) && current.Options == options) return current;
            var table = new StickyTable(upstream, options, _time, Publish, current?.Counters);
            if (current is not null) table.CopyFrom(current);
            _tables[upstream] = table;
            return table;
        }
    }

    /// <summary>The counters of an upstream with <c>sticky cookie</c> (no table: the cookie names the server).</summary>
    public StickyCounters CookieCounters(string upstream) => _cookieCounters.GetOrAdd(upstream, static _ => new StickyCounters());

    public IEnumerable<KeyValuePair<string, StickyCounters>> AllCookieCounters => _cookieCounters;

    /// <summary>Drops the tables of upstreams that no longer have <c>sticky learn</c>.</summary>
    public void Retain(Func<string, bool> keep)
    {
        foreach (var name in _tables.Keys)
        {
            if (!keep(name)) _tables.TryRemove(name, out _);
        }
        foreach (var name in _cookieCounters.Keys)
        {
            if (!keep(name)) _cookieCounters.TryRemove(name, out _);
        }
    }

    private void Publish(StickyTable table, UInt128 key)
    {
        TaskCompletionSource signal;
        lock (_changesGate)
        {
            _changes.Enqueue((++_seq, table, key));
            while (_changes.Count > ChangeRingSize) _changes.Dequeue();
            signal = _changed;
            _changed = NewSignal();
        }
        signal.TrySetResult();
    }

    /// <summary>
    /// The changes after <paramref name="cursor"/> as JSON, waiting up to <paramref name="wait"/> for one:
    /// <c>{"cursor":"EPOCH:SEQ","full":BOOL,"upstreams":{"NAME":[["KEY",SERVER,LEARNED_MS,USED_MS],…]}}</c>.
    /// </summary>
    public async Task<byte[]> ReadChangesAsync(string? cursor, TimeSpan wait, CancellationToken ct)
    {
        var since = ParseCursor(cursor);
        var deadline = _time.GetTimestamp();
        while (true)
        {
            Task changed;
            lock (_changesGate)
            {
                var oldest = _changes.Count > 0 ? _changes.Peek().Seq : _seq + 1;
                if (since is null || since < oldest - 1 || since > _seq) return Serialize(full: true, _seq, FullSnapshot());
                if (since < _seq)
                {
                    var changed2 = new Dictionary<StickyTable, HashSet<UInt128>>();
                    foreach (var (seq, table, key) in _changes)
                    {
                        if (seq <= since) continue;
                        if (!changed2.TryGetValue(table, out var keys)) changed2[table] = keys = [];
                        keys.Add(key);
                    }
                    return Serialize(full: false, _seq, changed2.Select(kv => (kv.Key, kv.Value.Select(k => (k, kv.Key.Get(k)))
                        .Where(x => x.Item2 is not null).Select(x => (x.k, x.Item2!.Value.Server, x.Item2.Value.LearnedAt, x.Item2.Value.LastUsed)).ToList())));
                }
                changed = _changed.Task;
            }
            var left = wait - _time.GetElapsedTime(deadline);
            if (left <= TimeSpan.Zero) return Serialize(full: false, since.Value, []);
            try
            {
                await changed.WaitAsync(left, _time, ct).ConfigureAwait(false);
            }
            catch (TimeoutException) { }
        }
    }

    private IEnumerable<(StickyTable, List<(UInt128, string, long, long)>)> FullSnapshot() =>
        _tables.Values.Where(t => t.Options.Sync).Select(t => (t, t.Snapshot()));

    private byte[] Serialize(bool full, long seq, IEnumerable<(StickyTable Table, List<(UInt128 Key, string Server, long Learned, long Used)> Entries)> tables)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("cursor", $"{_epoch}:{seq.ToString(CultureInfo.InvariantCulture)}");
            w.WriteBoolean("full", full);
            w.WriteStartObject("upstreams");
            foreach (var (table, entries) in tables)
            {
                w.WriteStartArray(table.Upstream);
                foreach (var (key, server, learned, used) in entries)
                {
                    w.WriteStartArray();
                    w.WriteStringValue(KeyText(key));
                    w.WriteStringValue(server);
                    w.WriteNumberValue(learned);
                    w.WriteNumberValue(used);
                    w.WriteEndArray();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// Applies what a peer sent (see <see cref="ReadChangesAsync"/>) and returns the cursor to ask with next.
    /// Malformed input throws <see cref="InvalidDataException"/> naming what is wrong; nothing of it is applied.
    /// </summary>
    public string Apply(string peer, ReadOnlySpan<byte> json)
    {
        var parsed = new List<(StickyTable Table, UInt128 Key, string Server, long Learned, long Used)>();
        string cursor;
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray());
            var root = doc.RootElement;
            cursor = root.GetProperty("cursor").GetString() ?? throw new InvalidDataException("cursor is null");
            if (ParseCursorParts(cursor) is null) throw new InvalidDataException($"invalid cursor \"{cursor}\"");
            foreach (var upstream in root.GetProperty("upstreams").EnumerateObject())
            {
                if (!_tables.TryGetValue(upstream.Name, out var table) || !table.Options.Sync) continue;
                foreach (var entry in upstream.Value.EnumerateArray())
                {
                    if (entry.GetArrayLength() != 4) throw new InvalidDataException($"{upstream.Name}: an entry must have 4 fields");
                    var keyText = entry[0].GetString();
                    var server = entry[1].GetString();
                    if (keyText is null || !TryParseKey(keyText, out var key)) throw new InvalidDataException($"{upstream.Name}: invalid key");
                    if (string.IsNullOrEmpty(server) || server.Length > 300) throw new InvalidDataException($"{upstream.Name}: invalid server");
                    parsed.Add((table, key, server, entry[2].GetInt64(), entry[3].GetInt64()));
                }
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException("malformed sticky bindings: " + e.Message, e);
        }
        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        long newest = 0;
        foreach (var (table, key, server, learned, used) in parsed)
        {
            table.Merge(key, server, learned, used);
            newest = Math.Max(newest, Math.Max(learned, used));
        }
        var lag = parsed.Count > 0 ? Math.Max(0, now - newest) / 1000.0 : (double?)null;
        _peers.AddOrUpdate(peer, _ => new PeerReplication(parsed.Count, lag, _time.GetUtcNow()),
            (_, old) => new PeerReplication(old.Received + parsed.Count, lag ?? old.LagSeconds, _time.GetUtcNow()));
        if (lag is { } seconds) _metrics.Replicated(peer, parsed.Count, seconds);
        return cursor;
    }

    private (string Epoch, long Seq)? ParseCursorParts(string cursor)
    {
        var colon = cursor.IndexOf(':');
        if (colon <= 0 || !long.TryParse(cursor.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return null;
        return (cursor[..colon], seq);
    }

    /// <summary>The sequence a peer's cursor points at in this run of the process; null for a cursor of another run.</summary>
    private long? ParseCursor(string? cursor) =>
        cursor is not null && ParseCursorParts(cursor) is { } p && p.Epoch == _epoch ? p.Seq : null;

    private static string KeyText(UInt128 key) => key.ToString("x32", CultureInfo.InvariantCulture);

    private static bool TryParseKey(string text, out UInt128 key) =>
        UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out key) && text.Length == 32;

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Replication from one peer (see <see cref="StickyTables.Peers"/>).</summary>
public sealed record PeerReplication(long Received, double? LagSeconds, DateTimeOffset LastAnswer);
