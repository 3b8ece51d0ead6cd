using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;
using SaltHaGateway.Sync.Roots;

namespace SaltHaGateway.Sync.Apply;

/// <summary>
/// Keeps losing versions in the state directory (never inside or next to a served tree, where
/// Salt would load or serve them). Files are 0600 and named by time, origin node and path.
/// </summary>
internal sealed class ConflictStore(string directory, TimeProvider time)
{
    public string Directory { get; } = directory;

    public string SaveFromDisk(SyncRoot root, FileEntry local)
    {
        var target = NewName(root.Id, local.Path, local.OriginNode);
        if (local.Kind == EntryKind.Symlink)
        {
            File.WriteAllText(target, "symlink -> " + local.LinkTarget + "\n");
            return target;
        }
        using var parent = root.OpenParent(local.Path, create: false, out var leaf);
        using var fd = FileDescriptor.OpenAt(parent.Fd, leaf, LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK, 0, root.Display(local.Path));
        using var source = new FileStream(fd.ToSafeFileHandle(), FileAccess.Read, 1);
        using var dest = Create(target);
        source.CopyTo(dest);
        dest.Flush(flushToDisk: true);
        return target;
    }

    public string SaveBytes(string rootId, RelativePath path, string origin, ReadOnlySpan<byte> data)
    {
        var target = NewName(rootId, path, origin);
        using var dest = Create(target);
        dest.Write(data);
        dest.Flush(flushToDisk: true);
        return target;
    }

    private FileStream Create(string path) => new(path, new FileStreamOptions
    {
        Mode = FileMode.CreateNew,
        Access = FileAccess.Write,
        UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
    });

    private string NewName(string rootId, RelativePath path, string origin)
    {
        System.IO.Directory.CreateDirectory(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var flat = (rootId.TrimStart('/') + "/" + path.Value).TrimEnd('/').Replace("%", "%25").Replace("/", "%2F");
        if (flat.Length > 180) flat = flat[^180..];
        var stamp = time.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fffffff");
        return Path.Combine(Directory, $"{stamp}-{origin}-{flat}.conflict");
    }
}
