using SaltHaGateway.Sync.Core;
using SaltHaGateway.Sync.Native;

namespace SaltHaGateway.Sync.Roots;

/// <summary>
/// One configured root. <see cref="Id"/> is the configured absolute path and names the root on
/// every node; <see cref="PhysicalPath"/> is where it lives on this node (the same path on real
/// masters). All access below the root walks one segment at a time with O_NOFOLLOW, so neither a
/// peer-supplied path nor a symlink planted on disk can lead outside it.
/// </summary>
public sealed class SyncRoot
{
    public SyncRoot(string id, string physicalPath)
    {
        Id = id;
        PhysicalPath = physicalPath.TrimEnd('/');
        var parent = Path.GetDirectoryName(PhysicalPath) ?? "/";
        ParentPath = parent;
        LeafName = Path.GetFileName(PhysicalPath);
        StagingPath = Path.Combine(parent, IgnoreRules.StagingDirectoryName);
    }

    public string Id { get; }
    public string PhysicalPath { get; }
    public string ParentPath { get; }
    public string LeafName { get; }
    /// <summary>Beside the root (same filesystem, outside every served tree).</summary>
    public string StagingPath { get; private set; }

    /// <summary>
    /// rename(2) cannot cross mounts. When the root is itself a mount point, the only place on its
    /// filesystem is inside it: use a hidden, ignored directory there. Returns true when it did so.
    /// </summary>
    internal bool PlaceStagingOnRootMount()
    {
        var rootMount = StatInfo.MountId(PhysicalPath);
        var parentMount = StatInfo.MountId(ParentPath);
        if (rootMount is null || parentMount is null || rootMount == parentMount) return false;
        StagingPath = Path.Combine(PhysicalPath, IgnoreRules.StagingDirectoryName);
        return true;
    }

    public string Display(RelativePath path) => path.IsRoot ? Id : Id + "/" + path.Value;

    /// <summary>
    /// Opens the directory that holds <paramref name="path"/>'s last segment and returns that
    /// segment's name. Missing intermediate directories are created (0700, fixed later by their
    /// own entries) when <paramref name="create"/> is set; a symlink anywhere on the way fails.
    /// </summary>
    internal FileDescriptor OpenParent(RelativePath path, bool create, out string leaf)
    {
        if (path.IsRoot)
        {
            leaf = LeafName;
            return FileDescriptor.OpenDirectory(ParentPath);
        }
        var segments = path.Segments;
        leaf = segments[^1];
        var current = FileDescriptor.OpenDirectory(PhysicalPath);
        try
        {
            for (int i = 0; i < segments.Length - 1; i++)
            {
                string Display() => Id + "/" + string.Join('/', segments.Take(i + 1));
                var fd = LibC.OpenAt(current.Fd, segments[i], LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                if (fd < 0 && LibC.Errno == LibC.ENOENT && create)
                {
                    if (LibC.MkdirAt(current.Fd, segments[i], 0b111_000_000) != 0 && LibC.Errno != LibC.EEXIST)
                        throw PosixException.Last("mkdir", Display());
                    fd = LibC.OpenAt(current.Fd, segments[i], LibC.O_RDONLY | LibC.O_DIRECTORY | LibC.O_NOFOLLOW | LibC.O_CLOEXEC, 0);
                }
                if (fd < 0)
                {
                    var errno = LibC.Errno;
                    throw errno is LibC.ELOOP or LibC.ENOTDIR
                        ? new PathRefusedException($"{Display()}: not a plain directory (symlink or file on the way)")
                        : new PosixException("open", Display(), errno);
                }
                current.Dispose();
                current = new FileDescriptor(fd);
            }
            return current;
        }
        catch
        {
            current.Dispose();
            throw;
        }
    }
}
