using System.Text;

namespace SaltHaGateway.Sync.Core;

/// <summary>How two version vectors relate causally.</summary>
public enum VersionOrder { Equal, Dominates, DominatedBy, Concurrent }

/// <summary>
/// Immutable version vector: one counter per node that ever changed the path. Entries are kept
/// sorted by node id so equal vectors have equal text forms (stored in SQLite, sent on the wire).
/// </summary>
public sealed class VersionVector : IEquatable<VersionVector>
{
    private readonly KeyValuePair<string, ulong>[] _entries;

    public static VersionVector Empty { get; } = new([]);

    private VersionVector(KeyValuePair<string, ulong>[] sortedEntries) => _entries = sortedEntries;

    public IReadOnlyList<KeyValuePair<string, ulong>> Entries => _entries;

    public bool IsEmpty => _entries.Length == 0;

    public ulong this[string node]
    {
        get
        {
            foreach (var e in _entries)
            {
                if (e.Key == node) return e.Value;
            }
            return 0;
        }
    }

    /// <summary>Returns a vector with <paramref name="node"/>'s counter raised by one.</summary>
    public VersionVector Increment(string node)
    {
        ValidateNode(node);
        var list = _entries.ToList();
        var i = list.FindIndex(e => e.Key == node);
        if (i >= 0) list[i] = new(node, checked(list[i].Value + 1));
        else list.Add(new(node, 1));
        return FromUnsorted(list);
    }

    /// <summary>Element-wise maximum: the smallest vector that dominates or equals both.</summary>
    public VersionVector Merge(VersionVector other)
    {
        var map = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var e in _entries) map[e.Key] = e.Value;
        foreach (var e in other._entries)
        {
            map[e.Key] = map.TryGetValue(e.Key, out var v) ? Math.Max(v, e.Value) : e.Value;
        }
        return FromUnsorted(map.ToList());
    }

    public VersionOrder Compare(VersionVector other)
    {
        bool greater = false, less = false;
        foreach (var node in _entries.Select(e => e.Key).Union(other._entries.Select(e => e.Key)))
        {
            var a = this[node];
            var b = other[node];
            if (a > b) greater = true;
            else if (a < b) less = true;
        }
        return (greater, less) switch
        {
            (false, false) => VersionOrder.Equal,
            (true, false) => VersionOrder.Dominates,
            (false, true) => VersionOrder.DominatedBy,
            _ => VersionOrder.Concurrent,
        };
    }

    /// <summary>Text form "node:counter,node:counter" (sorted by node id; empty string when empty).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var e in _entries)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(e.Key).Append(':').Append(e.Value);
        }
        return sb.ToString();
    }

    public static bool TryParse(string? text, out VersionVector vector, out string error)
    {
        vector = Empty;
        error = "";
        if (string.IsNullOrEmpty(text)) return true;
        var list = new List<KeyValuePair<string, ulong>>();
        foreach (var part in text.Split(','))
        {
            var colon = part.LastIndexOf(':');
            if (colon <= 0 || !ulong.TryParse(part.AsSpan(colon + 1), out var counter) || counter == 0)
            {
                error = $"bad version vector element '{part}'";
                return false;
            }
            var node = part[..colon];
            if (!IsValidNode(node))
            {
                error = $"bad node id '{node}'";
                return false;
            }
            if (list.Any(e => e.Key == node))
            {
                error = $"node id '{node}' repeated";
                return false;
            }
            list.Add(new(node, counter));
        }
        vector = FromUnsorted(list);
        return true;
    }

    public static VersionVector Parse(string? text) =>
        TryParse(text, out var v, out var error) ? v : throw new FormatException(error);

    public bool Equals(VersionVector? other) => other is not null && Compare(other) == VersionOrder.Equal;

    public override bool Equals(object? obj) => Equals(obj as VersionVector);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    internal static bool IsValidNode(string node) =>
        node.Length is > 0 and <= 64 && node.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'z') or '-');

    private static void ValidateNode(string node)
    {
        if (!IsValidNode(node)) throw new ArgumentException($"bad node id '{node}'", nameof(node));
    }

    private static VersionVector FromUnsorted(List<KeyValuePair<string, ulong>> list)
    {
        list.RemoveAll(e => e.Value == 0);
        list.Sort((x, y) => string.CompareOrdinal(x.Key, y.Key));
        return new VersionVector(list.ToArray());
    }
}
