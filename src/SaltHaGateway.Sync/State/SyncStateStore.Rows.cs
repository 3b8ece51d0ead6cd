using Microsoft.Data.Sqlite;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.State;

// Row mapping and small tables (meta, peers, roots, conflicts).
public sealed partial class SyncStateStore
{
    public PeerProgress GetPeer(string nodeId)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT peer_index_id, received_seq, acked_seq, last_seen_ns FROM peers WHERE node_id=$n", ("$n", nodeId));
            using var r = cmd.ExecuteReader();
            return r.Read()
                ? new PeerProgress(nodeId, r.IsDBNull(0) ? null : r.GetString(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(3))
                : new PeerProgress(nodeId, null, 0, 0, 0);
        }
    }

    public void SavePeer(PeerProgress p)
    {
        lock (_lock)
        {
            using var cmd = Command("""
                INSERT INTO peers(node_id, peer_index_id, received_seq, acked_seq, last_seen_ns) VALUES($n,$i,$r,$a,$l)
                ON CONFLICT(node_id) DO UPDATE SET peer_index_id=$i, received_seq=$r, acked_seq=$a, last_seen_ns=$l
                """, ("$n", p.NodeId), ("$i", (object?)p.PeerIndexId ?? DBNull.Value), ("$r", p.ReceivedSequence),
                ("$a", p.AckedSequence), ("$l", p.LastSeenNs));
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Forget how far we got with every peer (after a paused root resumes): re-read everything.</summary>
    public void ResetReceivedSequences()
    {
        lock (_lock)
        {
            using var cmd = Command("UPDATE peers SET received_seq=0");
            cmd.ExecuteNonQuery();
        }
    }

    public (long Device, long Inode)? GetRootMarker(string root)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT device, inode FROM roots WHERE root=$r", ("$r", root));
            using var r = cmd.ExecuteReader();
            return r.Read() ? (r.GetInt64(0), r.GetInt64(1)) : null;
        }
    }

    public void SetRootMarker(string root, long device, long inode)
    {
        lock (_lock)
        {
            using var cmd = Command("INSERT INTO roots(root, device, inode) VALUES($r,$d,$i) ON CONFLICT(root) DO UPDATE SET device=$d, inode=$i",
                ("$r", root), ("$d", device), ("$i", inode));
            cmd.ExecuteNonQuery();
        }
    }

    public long AddConflict(ConflictRecord c)
    {
        lock (_lock)
        {
            using var cmd = Command("""
                INSERT INTO conflicts(root, path, class, action, reason, alert, local_version, remote_version, local_desc,
                  remote_desc, remote_node, stored_copy, at_ns, open)
                VALUES($root,$path,$class,$action,$reason,$alert,$lv,$rv,$ld,$rd,$rn,$sc,$at,$open);
                SELECT last_insert_rowid();
                """, ("$root", c.Root), ("$path", c.Path), ("$class", c.PathClass), ("$action", c.Action), ("$reason", c.Reason),
                ("$alert", c.Alert ? 1 : 0), ("$lv", c.LocalVersion), ("$rv", c.RemoteVersion), ("$ld", c.LocalDescription),
                ("$rd", c.RemoteDescription), ("$rn", c.RemoteNode), ("$sc", (object?)c.StoredCopy ?? DBNull.Value), ("$at", c.AtNs),
                ("$open", c.Open ? 1 : 0));
            return (long)cmd.ExecuteScalar()!;
        }
    }

    public List<ConflictRecord> ListConflicts(int limit = 200)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT * FROM conflicts ORDER BY id DESC LIMIT $l", ("$l", limit));
            using var r = cmd.ExecuteReader();
            var list = new List<ConflictRecord>();
            while (r.Read()) list.Add(ReadConflict(r));
            return list;
        }
    }

    public int CountOpenConflicts()
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT count(*) FROM conflicts WHERE open=1");
            return Convert.ToInt32(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public ConflictRecord? GetConflict(long id)
    {
        lock (_lock)
        {
            using var cmd = Command("SELECT * FROM conflicts WHERE id=$id", ("$id", id));
            using var r = cmd.ExecuteReader();
            return r.Read() ? ReadConflict(r) : null;
        }
    }

    /// <summary>Marks a conflict closed; false when it was unknown or already closed.</summary>
    public bool CloseConflict(long id)
    {
        lock (_lock)
        {
            using var cmd = Command("UPDATE conflicts SET open=0 WHERE id=$id AND open=1", ("$id", id));
            return cmd.ExecuteNonQuery() == 1;
        }
    }

    /// <summary>
    /// Closes open conflicts whose path now holds a version that dominates (or equals) both sides:
    /// a resolution made here or on a peer has reached this node. Returns the conflicts closed.
    /// </summary>
    public List<ConflictRecord> CloseSupersededConflicts()
    {
        lock (_lock)
        {
            var open = new List<ConflictRecord>();
            using (var cmd = Command("SELECT * FROM conflicts WHERE open=1 ORDER BY id"))
            using (var r = cmd.ExecuteReader())
            {
                while (r.Read()) open.Add(ReadConflict(r));
            }
            var closed = new List<ConflictRecord>();
            foreach (var c in open)
            {
                if (!RelativePath.TryParse(c.Path, out var path, out _)) continue;
                if (!VersionVector.TryParse(c.LocalVersion, out var local, out _) || !VersionVector.TryParse(c.RemoteVersion, out var remote, out _)) continue;
                using var get = Command("SELECT version FROM entries WHERE root=$r AND path=$p", ("$r", c.Root), ("$p", path.Value));
                if (get.ExecuteScalar() is not string text || !VersionVector.TryParse(text, out var now, out _)) continue;
                if (!Covers(now, local) || !Covers(now, remote)) continue;
                using var close = Command("UPDATE conflicts SET open=0 WHERE id=$id AND open=1", ("$id", c.Id));
                if (close.ExecuteNonQuery() == 1) closed.Add(c with { Open = false });
            }
            return closed;
        }

        static bool Covers(VersionVector now, VersionVector side) => now.Compare(side) is VersionOrder.Equal or VersionOrder.Dominates;
    }

    private static ConflictRecord ReadConflict(SqliteDataReader r) =>
        new(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
            r.GetString(5), r.GetInt64(6) != 0, r.GetString(7), r.GetString(8), r.GetString(9), r.GetString(10),
            r.GetString(11), r.IsDBNull(12) ? null : r.GetString(12), r.GetInt64(13), r.GetInt64(14) != 0);

    /// <summary>
    /// Drops tombstones every peer has acknowledged (sequence at or below <paramref name="ackedByAll"/>)
    /// that are older than <paramref name="olderThanNs"/> (origin time).
    /// </summary>
    public int CollectTombstones(long ackedByAll, long olderThanNs)
    {
        lock (_lock)
        {
            using var cmd = Command("DELETE FROM entries WHERE deleted=1 AND seq <= $s AND origin_time_ns < $t", ("$s", ackedByAll), ("$t", olderThanNs));
            return cmd.ExecuteNonQuery();
        }
    }

    private string CreateIndexId()
    {
        var id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        SetMeta("index_id", id);
        return id;
    }

    private string? GetMeta(string key)
    {
        using var cmd = Command("SELECT value FROM meta WHERE key=$k", ("$k", key));
        return cmd.ExecuteScalar() as string;
    }

    private void SetMeta(string key, string value)
    {
        using var cmd = Command("INSERT INTO meta(key, value) VALUES($k,$v) ON CONFLICT(key) DO UPDATE SET value=$v", ("$k", key), ("$v", value));
        cmd.ExecuteNonQuery();
    }

    private void Upsert(FileEntry e, SqliteTransaction tx)
    {
        var cmd = Reused("""
            INSERT OR REPLACE INTO entries(root, path, kind, deleted, sha256, size, mode, uid, gid, mtime_ns, link_target, version,
              origin_node, origin_time_ns, seq, ctime_ns, inode, received_from)
            VALUES($root,$path,$kind,$deleted,$sha,$size,$mode,$uid,$gid,$mtime,$link,$version,$on,$ot,$seq,$ctime,$inode,$rf)
            """, ("$root", e.Root), ("$path", e.Path.Value), ("$kind", (int)e.Kind), ("$deleted", e.Deleted ? 1 : 0),
            ("$sha", (object?)e.Sha256 ?? DBNull.Value), ("$size", e.Size), ("$mode", e.Mode), ("$uid", e.Uid), ("$gid", e.Gid),
            ("$mtime", e.MtimeNs), ("$link", (object?)e.LinkTarget ?? DBNull.Value), ("$version", e.Version.ToString()),
            ("$on", e.OriginNode), ("$ot", e.OriginTimeNs), ("$seq", e.Sequence), ("$ctime", e.LocalCtimeNs), ("$inode", e.LocalInode),
            ("$rf", (object?)e.ReceivedFrom ?? DBNull.Value));
        cmd.Transaction = tx;
        cmd.ExecuteNonQuery();
    }

    private static FileEntry ReadEntry(SqliteDataReader r) => new()
    {
        Root = r.GetString(0),
        Path = RelativePath.Parse(r.GetString(1)),
        Kind = (EntryKind)r.GetInt32(2),
        Deleted = r.GetInt64(3) != 0,
        Sha256 = r.IsDBNull(4) ? null : r.GetString(4),
        Size = r.GetInt64(5),
        Mode = r.GetInt32(6),
        Uid = r.GetInt32(7),
        Gid = r.GetInt32(8),
        MtimeNs = r.GetInt64(9),
        LinkTarget = r.IsDBNull(10) ? null : r.GetString(10),
        Version = VersionVector.Parse(r.GetString(11)),
        OriginNode = r.GetString(12),
        OriginTimeNs = r.GetInt64(13),
        Sequence = r.GetInt64(14),
        LocalCtimeNs = r.GetInt64(15),
        LocalInode = r.GetInt64(16),
        ReceivedFrom = r.IsDBNull(17) ? null : r.GetString(17),
    };

    private void Exec(string sql)
    {
        using var cmd = Command(sql);
        cmd.ExecuteNonQuery();
    }

    /// <summary>
    /// A command kept prepared for the hot paths (one lookup and one upsert per file): SQLite parses the
    /// statement once instead of per call. Only under the lock; the caller must not dispose it.
    /// </summary>
    private SqliteCommand Reused(string sql, params (string Name, object Value)[] args)
    {
        if (!_prepared.TryGetValue(sql, out var cmd))
        {
            cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            _prepared[sql] = cmd;
        }
        cmd.Transaction = null;
        cmd.Parameters.Clear();
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }

    private SqliteCommand Command(string sql, params (string Name, object Value)[] args)
    {
        var cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return cmd;
    }
}
