using System.Text;
using System.Text.RegularExpressions;

namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// Expands an nginx <c>include</c> pattern like glob(3) does for nginx: '*', '?' and '[...]' in any path
/// segment, names starting with '.' only matched by a pattern that starts with '.', results sorted
/// byte-wise (nginx's C locale). Only files are returned.
/// </summary>
internal static class IncludeGlob
{
    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;

    public static IReadOnlyList<string> Expand(string absolutePattern)
    {
        var root = Path.GetPathRoot(absolutePattern) ?? "/";
        var segments = absolutePattern[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = new List<string> { root };
        for (var i = 0; i < segments.Length; i++)
        {
            var last = i == segments.Length - 1;
            var next = new List<string>();
            foreach (var dir in current)
            {
                next.AddRange(Step(dir, segments[i], last));
            }

            current = next;
        }

        current.Sort(StringComparer.Ordinal);
        return current;
    }

    private static IEnumerable<string> Step(string dir, string segment, bool last)
    {
        if (!HasWildcards(segment))
        {
            var path = Path.Combine(dir, segment);
            if (last ? File.Exists(path) : Directory.Exists(path))
            {
                yield return path;
            }

            yield break;
        }

        if (!Directory.Exists(dir))
        {
            yield break;
        }

        var regex = ToRegex(segment);
        var entries = last ? Directory.EnumerateFiles(dir) : Directory.EnumerateDirectories(dir);
        foreach (var entry in entries)
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith('.') && !segment.StartsWith('.'))
            {
                continue;
            }

            if (regex.IsMatch(name))
            {
                yield return entry;
            }
        }
    }

    private static Regex ToRegex(string segment)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < segment.Length; i++)
        {
            var ch = segment[i];
            switch (ch)
            {
                case '*':
                    sb.Append(".*");
                    break;
                case '?':
                    sb.Append('.');
                    break;
                case '[':
                    var close = segment.IndexOf(']', i + 2);
                    if (close < 0)
                    {
                        sb.Append(@"\[");
                        break;
                    }

                    var set = segment[(i + 1)..close];
                    var negate = set.StartsWith('!') || set.StartsWith('^');
                    if (negate)
                    {
                        set = set[1..];
                    }

                    sb.Append('[').Append(negate ? "^" : "").Append(set.Replace(@"\", @"\\")).Append(']');
                    i = close;
                    break;
                default:
                    sb.Append(Regex.Escape(ch.ToString()));
                    break;
            }
        }

        try
        {
            return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
        }
        catch (ArgumentException)
        {
            // A character class glob(3) would read differently (e.g. a reversed range): match it literally.
            return new Regex("^" + Regex.Escape(segment) + "$", RegexOptions.CultureInvariant);
        }
    }
}
