using Microsoft.Data.Sqlite;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.State;

/// <summary>
/// The per-node index (SQLite): one row per path ever seen, the local change log (sequence
/// numbers), per-peer progress, root markers and the conflict log. The index is the truth; the
/// watcher only says where to look. All access goes through one connection under a lock.
/// </summary>
public sealed partial class SyncStateStore : IDisposable
{
    private const int SchemaVersion = 1;
    private readonly SqliteConnection _db;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);
    private long _nextSequence;

    public SyncStateStore(string databasePath)
    {
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Pooling = false }.ToString());
        _db.Open();
        Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
        Exec("""
            CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS entries(
              root TEXT NOT NULL, path TEXT NOT NULL, kind INTEGER NOT NULL, deleted INTEGER NOT NULL,
              sha256 TEXT, size INTEGER NOT NULL, mode INTEGER NOT NULL, uid INTEGER NOT NULL, gid INTEGER NOT NULL,
              mtime_ns INTEGER NOT NULL, link_target TEXT, version TEXT NOT NULL, origin_node TEXT NOT NULL,
              origin_time_ns INTEGER NOT NULL, seq INTEGER NOT NULL, ctime_ns INTEGER NOT NULL, inode INTEGER NOT NULL,
              received_from TEXT, PRIMARY KEY(root, path));
            CREATE INDEX IF NOT EXISTS entries_seq ON entries(seq);
            CREATE TABLE IF NOT EXISTS peers(node_id TEXT PRIMARY KEY, peer_index_id TEXT, received_seq INTEGER NOT NULL,
              acked_seq INTEGER NOT NULL, last_seen_ns INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS roots(root TEXT PRIMARY KEY, device INTEGER NOT NULL, inode INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS conflicts(id INTEGER PRIMARY KEY AUTOINCREMENT, root TEXT NOT NULL, path TEXT NOT NULL,
              class TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL, alert INTEGER NOT NULL,
              local_version TEXT NOT NULL, remote_version TEXT NOT NULL, local_desc TEXT NOT NULL, remote_desc TEXT NOT NULL,
              remote_node TEXT NOT NULL, stored_copy TEXT, at_ns INTEGER NOT NULL, open INTEGER NOT NULL);
            """);
        var version = GetMeta("schema_version");
        if (version is null) SetMeta("schema_version", SchemaVersion.ToString());
        else if (version != SchemaVersion.ToString())
            throw new InvalidOperationException($"{databasePath}: state schema version {version} is not supported (expected {SchemaVersion})");
        IndexId = GetMeta("index_id") ?? CreateIndexId();
        using var cmd = Command("SELECT COALESCE(MAX(seq), 0) FROM entries");
        _nextSequence = (long)cmd.ExecuteScalar()! + 1;
    }

    /// <summary>Random id of this change log; a rebuilt database gets a new one so peers restart from 0.</summary>
    public string IndexId { get; }

    public long MaxSequence
    {
        get { lock (_lock) return _nextSequence - 1; }
    }

    public FileEntry? Get(string root, RelativePath path)
    {
        lock (_lock)
        {
            var cmd = Reused("SELECT * FROM entries WHERE root=$r AND path=$p", ("$r", root), ("$p", path.Value));
            using var reader = cmd.ExecuteReader();
            return reader.Read() ? ReadEntry(reader) : null;
        }
    }

    public Dictionary<string, FileEntry> GetRoot(string root)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT * FROM entries WHERE root=$r", ("$r", root));
            using var reader = cmd.ExecuteReader();
            var result = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            while (reader.Read())
            {
                var e = ReadEntry(reader);
                result[e.Path.Value] = e;
            }
            return result;
        }
    }

    public List<FileEntry> ChangesSince(long sequence, int limit)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT * FROM entries WHERE seq > $s ORDER BY seq LIMIT $l", ("$s", sequence), ("$l", limit));
            using var reader = cmd.ExecuteReader();
            var list = new List<FileEntry>();
            while (reader.Read()) list.Add(ReadEntry(reader));
            return list;
        }
    }

    /// <summary>Changes above <paramref name="sequence"/> that the peer does not already have.</summary>
    public long CountPendingFor(string peerNode, long sequence, string? root = null)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT COUNT(*) FROM entries WHERE seq > $s AND (received_from IS NULL OR received_from <> $n) AND ($r IS NULL OR root = $r)",
                ("$s", sequence), ("$n", peerNode), ("$r", (object?)root ?? DBNull.Value));
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>
    /// Writes entries in one transaction. Entries flagged <c>NewSequence</c> get the next local
    /// sequence numbers in list order (so peers replay them in the same order).
    /// </summary>
    public IReadOnlyList<FileEntry> Write(IReadOnlyList<(FileEntry Entry, bool NewSequence)> changes)
    {
        if (changes.Count == 0) return [];
        lock (_lock)
        {
            using var tx = _db.BeginTransaction();
            var written = new List<FileEntry>(changes.Count);
            var next = _nextSequence;
            foreach (var (entry, newSeq) in changes)
            {
                var e = newSeq ? entry with { Sequence = next++ } : entry;
                Upsert(e, tx);
                written.Add(e);
            }
            tx.Commit();
            _nextSequence = next;
            return written;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var cmd in _prepared.Values) cmd.Dispose();
            _prepared.Clear();
            _db.Dispose();
        }
    }
}

public sealed partial class SyncStateStore
{
    /// <summary>Live (not deleted) entries below the root itself.</summary>
    public long CountLive(string root)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT COUNT(*) FROM entries WHERE root=$r AND deleted=0 AND path <> ''", ("$r", root));
            return (long)cmd.ExecuteScalar()!;
        }
    }

    /// <summary>The entry for <paramref name="path"/> and every entry below it.</summary>
    public Dictionary<string, FileEntry> GetUnder(string root, RelativePath path)
    {
        if (path.IsRoot) return GetRoot(root);
        lock (_lock)
        {
            // A key range on the primary key: "p/" up to (not including) "p0", '0' being the character after '/'.
            // A substr() comparison here read every row of the root for each hint.
            using var cmd = Command("SELECT * FROM entries WHERE root=$r AND (path=$p OR (path >= $lo AND path < $hi))",
                ("$r", root), ("$p", path.Value), ("$lo", path.Value + "/"), ("$hi", path.Value + "0"));
            using var reader = cmd.ExecuteReader();
            var result = new Dictionary<string, FileEntry>(StringComparer.Ordinal);
            while (reader.Read())
            {
                var e = ReadEntry(reader);
                result[e.Path.Value] = e;
            }
            return result;
        }
    }
}
