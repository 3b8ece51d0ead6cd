using System.Globalization;
using System.Text.RegularExpressions;

namespace SaltHaGateway.Sync.Core;

/// <summary>Which side of an open conflict an operator keeps.</summary>
public enum KeepSide { Local, Remote }

/// <summary>
/// Pure rules of an operator's resolution. The resolved version must dominate both sides of the
/// conflict: only then does every peer (including the one whose version lost) apply it instead of
/// freezing again.
/// </summary>
public static partial class ConflictResolution
{
    public static VersionVector ResolvedVersion(VersionVector local, VersionVector remote, string node) =>
        local.Merge(remote).Increment(node);

    public static bool TryParseKeep(string? text, out KeepSide keep)
    {
        keep = KeepSide.Local;
        switch (text)
        {
            case "local": return true;
            case "remote": keep = KeepSide.Remote; return true;
            default: return false;
        }
    }

    /// <summary>
    /// Reads hash, size, mode and owner back from a conflict record's description of a file version
    /// (<see cref="FileEntry.Describe"/>); null for deletions, links, directories or anything else.
    /// </summary>
    public static (string Sha256, long Size, int Mode, int Uid, int Gid)? ParseFileDescription(string? description)
    {
        var m = FileDescription().Match(description ?? "");
        if (!m.Success) return null;
        return (m.Groups[1].Value, long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture), Convert.ToInt32(m.Groups[3].Value, 8),
            int.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture), int.Parse(m.Groups[5].Value, CultureInfo.InvariantCulture));
    }

    [GeneratedRegex(@"^file sha256=([0-9a-f]{64}) size=([0-9]{1,18}) mode=([0-7]{1,5}) uid=(-?[0-9]{1,10}) gid=(-?[0-9]{1,10})$")]
    private static partial Regex FileDescription();
}
