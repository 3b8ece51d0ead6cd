namespace SaltHaGateway.Sync.Core;

/// <summary>Maps a (root, relative path) to its <see cref="PathClass"/> from names alone.</summary>
public static class PathClassifier
{
    public static readonly IReadOnlyList<string> MinionDirs =
        ["minions", "minions_pre", "minions_rejected", "minions_denied", "minions_autosign"];

    public static PathClass Classify(string root, RelativePath path)
    {
        var full = path.IsRoot ? root : root.TrimEnd('/') + "/" + path.Value;
        var name = full[(full.LastIndexOf('/') + 1)..];
        var parent = full[..Math.Max(0, full.LastIndexOf('/'))];
        var parentName = parent[(parent.LastIndexOf('/') + 1)..];

        if (name is "master.pem" or "master.pub" || name.StartsWith("master_sign", StringComparison.Ordinal))
            return PathClass.MasterKey;
        if (MinionDirs.Contains(parentName))
            return PathClass.MinionKey;
        if (full.EndsWith("/etc/salt/master", StringComparison.Ordinal)
            || full.Contains("/etc/salt/master.d", StringComparison.Ordinal))
            return PathClass.MasterConfig;
        return PathClass.Tree;
    }

    /// <summary>
    /// The same minion id in the other key directories (minions, minions_pre, …) of the same pki
    /// tree: a minion id with two different keys there is a possible impersonation.
    /// </summary>
    public static IEnumerable<RelativePath> SiblingKeyPaths(RelativePath key)
    {
        var pkiDir = key.Parent.Parent;
        foreach (var dir in MinionDirs)
        {
            var candidate = (pkiDir.IsRoot ? RelativePath.Root : pkiDir).Append(dir).Append(key.Name);
            if (candidate != key) yield return candidate;
        }
    }

    /// <summary>The minion id a key path names, or null when the path is not a minion key.</summary>
    public static string? MinionId(string root, RelativePath path) =>
        Classify(root, path) == PathClass.MinionKey ? path.Name : null;
}
