namespace SaltHaGateway.Sync.Core;

/// <summary>
/// Symlinks are replicated as links (never followed). A link whose target is absolute or climbs
/// out of its root would let Salt read outside the synced trees, so it is refused in both
/// directions unless the operator allows it.
/// </summary>
public static class SymlinkTargetPolicy
{
    public static bool StaysInsideRoot(RelativePath link, string target)
    {
        if (target.Length == 0 || target.Length > 4096 || target.Contains('\0') || target.StartsWith('/')) return false;
        var stack = new List<string>(link.Parent.Segments);
        foreach (var segment in target.Split('/'))
        {
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                if (stack.Count == 0) return false;
                stack.RemoveAt(stack.Count - 1);
            }
            else stack.Add(segment);
        }
        return true;
    }
}
