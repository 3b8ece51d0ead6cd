namespace SaltHaGateway.Sync.Core;

/// <summary>
/// Name patterns ('*' and '?' wildcards, matched against a single path segment) that are never
/// synced in either direction: editor swap files, our own staging names, per-node Salt caches.
/// </summary>
public sealed class IgnoreRules
{
    public const string StagingDirectoryName = ".saltha-sync-staging";

    public static readonly IReadOnlyList<string> Defaults =
    [
        "*.swp", "*.swo", "*.swx", "*~", ".#*", "#*#", "4913", ".*.kate-swp",
        StagingDirectoryName, ".key_cache",
    ];

    private readonly string[] _patterns;

    public IgnoreRules(IEnumerable<string> extraPatterns) => _patterns = Defaults.Concat(extraPatterns).ToArray();

    public IReadOnlyList<string> Patterns => _patterns;

    public bool IsIgnoredName(string name) => _patterns.Any(p => Glob(p, name));

    /// <summary>True when any segment of the path is ignored (an ignored directory hides its subtree).</summary>
    public bool IsIgnored(RelativePath path) => path.Segments.Any(IsIgnoredName);

    internal static bool Glob(ReadOnlySpan<char> pattern, ReadOnlySpan<char> text)
    {
        int p = 0, t = 0, star = -1, mark = 0;
        while (t < text.Length)
        {
            if (p < pattern.Length && (pattern[p] == '?' || pattern[p] == text[t])) { p++; t++; }
            else if (p < pattern.Length && pattern[p] == '*') { star = p++; mark = t; }
            else if (star >= 0) { p = star + 1; t = ++mark; }
            else return false;
        }
        while (p < pattern.Length && pattern[p] == '*') p++;
        return p == pattern.Length;
    }
}
