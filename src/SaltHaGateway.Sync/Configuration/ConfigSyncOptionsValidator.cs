using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Configuration;

/// <summary>Checks a bound <see cref="ConfigSyncOptions"/>; every error names its key path.</summary>
public static class ConfigSyncOptionsValidator
{
    public static List<string> Validate(ConfigSyncOptions o, string prefix = "ConfigSync")
    {
        var errors = new List<string>();
        void Error(string key, string message) => errors.Add($"{prefix}:{key}: {message}");

        if (!Uri.TryCreate(o.Listen, UriKind.Absolute, out var listen) || listen.Scheme != "https" || listen.AbsolutePath != "/")
            Error("Listen", $"'{o.Listen}' must be an https URL without a path, e.g. https://192.0.2.10:4506");
        else if (listen.IsDefaultPort && !o.Listen!.Contains(":443", StringComparison.Ordinal))
            Error("Listen", "give an explicit port");
        else if (listen.Host != "localhost" && !System.Net.IPAddress.TryParse(listen.Host.Trim('[', ']'), out _))
            Error("Listen", $"'{listen.Host}' must be an IP address to bind (or localhost)");

        if (!IsCleanAbsolute(o.StateDirectory)) Error("StateDirectory", $"'{o.StateDirectory}' must be an absolute path without '..'");

        var roots = o.EffectiveRoots;
        for (int i = 0; i < roots.Count; i++)
        {
            var r = roots[i];
            if (r is null) Error($"Roots:{i}", "empty");
            else if (!IsCleanAbsolute(r) || r == "/") Error($"Roots:{i}", $"'{r}' must be an absolute path (not '/') without '..', '.' or '//'");
            else if (roots.Take(i).Any(x => x == r)) Error($"Roots:{i}", $"'{r}' is listed twice");
            else if (roots.Where((x, j) => j != i && x is not null).Any(x => Under(r, x))) Error($"Roots:{i}", $"'{r}' lies inside another root");
            else if (IsCleanAbsolute(o.StateDirectory) && (Under(o.StateDirectory, r) || o.StateDirectory == r))
                Error("StateDirectory", $"'{o.StateDirectory}' must not be inside root '{r}' (conflict copies would be served)");
        }

        var peers = o.Peers ?? [];
        if (peers.Length is < 1 or > 4) Error("Peers", $"{peers.Length} peers configured; between 1 and 4 (two to five nodes) are supported");
        var seen = new HashSet<string>();
        for (int i = 0; i < peers.Length; i++)
        {
            var p = peers[i];
            if (!Uri.TryCreate(p.Url, UriKind.Absolute, out var u) || u.Scheme != "https")
                Error($"Peers:{i}:Url", $"'{p.Url}' must be an https URL");
            var fp = NormalizeFingerprint(p.Fingerprint);
            if (fp is null) Error($"Peers:{i}:Fingerprint", "must be the peer's SHA-256 certificate fingerprint: 64 hex characters (as printed by 'salt-ha-gateway sync init')");
            else if (!seen.Add(fp)) Error($"Peers:{i}:Fingerprint", "same fingerprint as an earlier peer");
        }

        if (o.MaxFileBytes <= 0) Error("MaxFileBytes", "must be positive");
        if (o.RescanIntervalSeconds < 10) Error("RescanIntervalSeconds", "must be at least 10");
        if (o.QuietMilliseconds < 0 || o.QuietMilliseconds > 60_000) Error("QuietMilliseconds", "must be 0..60000");
        if (o.MaxDelayMilliseconds < o.QuietMilliseconds) Error("MaxDelayMilliseconds", "must be at least QuietMilliseconds");
        if (o.TombstoneMinAgeDays < 1) Error("TombstoneMinAgeDays", "must be at least 1");
        var ignore = o.Ignore ?? [];
        for (int i = 0; i < ignore.Length; i++)
        {
            if (string.IsNullOrEmpty(ignore[i]) || ignore[i].Contains('/')) Error($"Ignore:{i}", "a name pattern without '/'");
        }
        foreach (var (name, hook) in o.Hooks ?? [])
        {
            if (!Enum.TryParse<PathClass>(name, out _)) Error($"Hooks:{name}", "unknown path class; use MasterKey, MinionKey, MasterConfig or Tree");
            if (hook.DebounceSeconds is < 0 or > 3600) Error($"Hooks:{name}:DebounceSeconds", "must be 0..3600");
        }
        return errors;
    }

    /// <summary>Lower-case 64 hex characters, accepting upper case and ':' separators; null when invalid.</summary>
    public static string? NormalizeFingerprint(string? text)
    {
        if (text is null) return null;
        var hex = text.Replace(":", "").Trim().ToLowerInvariant();
        return hex.Length == 64 && hex.All(Uri.IsHexDigit) ? hex : null;
    }

    private static bool IsCleanAbsolute(string? p) =>
        p is { Length: > 0 } && p[0] == '/' && !p.Contains("//") && !p.Contains('\0')
        && (p == "/" || (!p.EndsWith('/') && p[1..].Split('/').All(s => s is not ("" or "." or ".."))));

    private static bool Under(string path, string ancestor) => path.StartsWith(ancestor.TrimEnd('/') + "/", StringComparison.Ordinal);
}
