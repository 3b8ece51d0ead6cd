using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Native;

/// <summary>lstat-like facts about one directory entry (never follows a final symlink).</summary>
internal readonly record struct StatInfo(
    EntryKind? Kind, long Size, int Mode, int Uid, int Gid, long MtimeNs, long CtimeNs, long Inode, long Device)
{
    private const int S_IFMT = 0xF000, S_IFREG = 0x8000, S_IFDIR = 0x4000, S_IFLNK = 0xA000;

    /// <summary>Null kind means a type we never sync (device, fifo, socket).</summary>
    public static unsafe bool TryStat(int dirfd, string path, int extraFlags, out StatInfo info, out int errno)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.Statx(dirfd, path, LibC.AT_SYMLINK_NOFOLLOW | extraFlags, LibC.STATX_BASIC_STATS, buf) != 0)
        {
            errno = LibC.Errno;
            info = default;
            return false;
        }
        errno = 0;
        int mode = *(ushort*)(buf + 28);
        EntryKind? kind = (mode & S_IFMT) switch
        {
            S_IFREG => EntryKind.File,
            S_IFDIR => EntryKind.Directory,
            S_IFLNK => EntryKind.Symlink,
            _ => null,
        };
        long Ts(int offset) => *(long*)(buf + offset) * 1_000_000_000L + *(uint*)(buf + offset + 8);
        long dev = ((long)*(uint*)(buf + 136) << 32) | *(uint*)(buf + 140);
        info = new StatInfo(kind, (long)*(ulong*)(buf + 40), mode & 0xFFF, (int)*(uint*)(buf + 20), (int)*(uint*)(buf + 24),
            Ts(112), Ts(96), (long)*(ulong*)(buf + 32), dev);
        return true;
    }

    /// <summary>Mount id (statx STATX_MNT_ID, Linux 5.8+); null when unknown.</summary>
    public static unsafe long? MountId(string path)
    {
        byte* buf = stackalloc byte[256];
        if (LibC.Statx(LibC.AT_FDCWD, path, 0, 0x1000, buf) != 0) return null;
        return (*(uint*)buf & 0x1000) != 0 ? (long)*(ulong*)(buf + 144) : null;
    }

    public static StatInfo? LStat(string path) =>
        TryStat(LibC.AT_FDCWD, path, 0, out var info, out _) ? info : null;

    public static StatInfo FStat(int fd) =>
        TryStat(fd, "", LibC.AT_EMPTY_PATH, out var info, out var errno) ? info : throw new PosixException("fstat", $"fd {fd}", errno);
}
