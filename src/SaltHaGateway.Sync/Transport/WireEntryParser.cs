using SaltHaGateway.Sync.Apply;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Transport;

/// <summary>Turns a peer's <see cref="WireEntry"/> into a validated <see cref="RemoteChange"/> (or a reason).</summary>
public static class WireEntryParser
{
    public static bool TryParse(WireEntry w, IReadOnlyCollection<string> knownRoots, out RemoteChange? change, out string error)
    {
        change = null;
        error = "";
        if (w.Root is null || !knownRoots.Contains(w.Root)) return Fail($"root '{w.Root}' is not configured here", out error);
        if (!RelativePath.TryParse(w.Path, out var path, out var pathError)) return Fail(pathError, out error);
        if (!Enum.IsDefined((EntryKind)w.Kind)) return Fail($"kind {w.Kind} unknown", out error);
        var kind = (EntryKind)w.Kind;
        if (!VersionVector.TryParse(w.Version, out var version, out var vvError) || version.IsEmpty)
            return Fail($"version: {(vvError.Length > 0 ? vvError : "empty")}", out error);
        if (!VersionVector.IsValidNode(w.OriginNode ?? "")) return Fail("originNode invalid", out error);
        if (w.Mode is < 0 or > 0xFFF) return Fail("mode out of range", out error);
        if (w.Uid < 0 || w.Gid < 0) return Fail("uid/gid negative", out error);
        if (w.Seq <= 0) return Fail("seq must be positive", out error);
        byte[]? data = null;
        if (!w.Deleted)
        {
            switch (kind)
            {
                case EntryKind.File:
                    if (w.Size < 0) return Fail("size negative", out error);
                    if (w.Sha256 is not { Length: 64 } || !w.Sha256.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
                        return Fail("sha256 must be 64 lower-case hex characters", out error);
                    if (w.Data is not null)
                    {
                        try { data = Convert.FromBase64String(w.Data); }
                        catch (FormatException) { return Fail("data is not base64", out error); }
                        if (data.Length != w.Size) return Fail("inline data length differs from size", out error);
                    }
                    break;
                case EntryKind.Symlink:
                    if (string.IsNullOrEmpty(w.LinkTarget) || w.LinkTarget.Contains('\0') || w.LinkTarget.Length > 4096)
                        return Fail("linkTarget missing or invalid", out error);
                    break;
            }
        }
        change = new RemoteChange(new FileEntry
        {
            Root = w.Root,
            Path = path,
            Kind = kind,
            Deleted = w.Deleted,
            Sha256 = kind == EntryKind.File && !w.Deleted ? w.Sha256 : null,
            Size = kind == EntryKind.File && !w.Deleted ? w.Size : 0,
            Mode = kind == EntryKind.Symlink ? 0 : w.Mode,
            Uid = w.Uid,
            Gid = w.Gid,
            MtimeNs = kind == EntryKind.File ? w.MtimeNs : 0,
            LinkTarget = kind == EntryKind.Symlink && !w.Deleted ? w.LinkTarget : null,
            Version = version,
            OriginNode = w.OriginNode!,
            OriginTimeNs = w.OriginTimeNs,
            Sequence = w.Seq,
        }, data);
        return true;
    }

    public static WireEntry ToWire(FileEntry e, string? data) => new(
        e.Root, e.Path.Value, (int)e.Kind, e.Deleted, e.Sha256, e.Size, e.Mode, e.Uid, e.Gid, e.MtimeNs, e.LinkTarget,
        e.Version.ToString(), e.OriginNode, e.OriginTimeNs, e.Sequence, data);

    private static bool Fail(string message, out string error)
    {
        error = message;
        return false;
    }
}
