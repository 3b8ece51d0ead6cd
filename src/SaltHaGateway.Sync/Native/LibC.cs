using System.Runtime.InteropServices;

namespace SaltHaGateway.Sync.Native;

/// <summary>
/// The libc calls the BCL lacks: ns timestamps and owners (statx, futimens, fchown), directory
/// fsync, *at() calls that never follow symlinks, and raw inotify (for IN_CLOSE_WRITE).
/// </summary>
internal static unsafe partial class LibC
{
    private const string Lib = "libc";

    public const int AT_FDCWD = -100;
    public const int AT_SYMLINK_NOFOLLOW = 0x100;
    public const int AT_REMOVEDIR = 0x200;
    public const int AT_EMPTY_PATH = 0x1000;
    public const uint STATX_BASIC_STATS = 0x7ff;

    public const int O_RDONLY = 0, O_WRONLY = 1, O_CREAT = 0x40, O_EXCL = 0x80, O_CLOEXEC = 0x80000, O_NONBLOCK = 0x800;
    // These two differ between architectures (asm-generic vs x86).
    public static readonly int O_DIRECTORY = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x4000 : 0x10000;
    public static readonly int O_NOFOLLOW = RuntimeInformation.ProcessArchitecture is Architecture.Arm64 or Architecture.Arm ? 0x8000 : 0x20000;

    public const int EEXIST = 17, ENOENT = 2, ENOTDIR = 20, ELOOP = 40, ENOTEMPTY = 39, EINTR = 4, EAGAIN = 11, EISDIR = 21;

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long Sec;
        public long Nsec;
    }

    [LibraryImport(Lib, EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Statx(int dirfd, string path, int flags, uint mask, byte* buf);

    [LibraryImport(Lib, EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int OpenAt(int dirfd, string path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport(Lib, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);

    /// <summary>A second descriptor for the same open file, close-on-exec.</summary>
    public static int DupCloexec(int fd) => Fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 0);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "syncfs", SetLastError = true)]
    public static partial int Syncfs(int fd);

    [LibraryImport(Lib, EntryPoint = "fchown", SetLastError = true)]
    public static partial int Fchown(int fd, int uid, int gid);

    [LibraryImport(Lib, EntryPoint = "fchmod", SetLastError = true)]
    public static partial int Fchmod(int fd, uint mode);

    [LibraryImport(Lib, EntryPoint = "fchownat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int FchownAt(int dirfd, string path, int uid, int gid, int flags);

    [LibraryImport(Lib, EntryPoint = "futimens", SetLastError = true)]
    public static partial int Futimens(int fd, Timespec* times);

    [LibraryImport(Lib, EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UtimensAt(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport(Lib, EntryPoint = "renameat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int RenameAt(int olddirfd, string oldpath, int newdirfd, string newpath);

    [LibraryImport(Lib, EntryPoint = "unlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int UnlinkAt(int dirfd, string path, int flags);

    [LibraryImport(Lib, EntryPoint = "mkdirat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int MkdirAt(int dirfd, string path, uint mode);

    [LibraryImport(Lib, EntryPoint = "symlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SymlinkAt(string target, int newdirfd, string linkpath);

    [LibraryImport(Lib, EntryPoint = "readlinkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial nint ReadlinkAt(int dirfd, string path, byte* buf, nint size);

    [LibraryImport(Lib, EntryPoint = "read", SetLastError = true)]
    public static partial nint Read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport(Lib, EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport(Lib, EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int InotifyRmWatch(int fd, int wd);

    [LibraryImport(Lib, EntryPoint = "poll", SetLastError = true)]
    public static partial int Poll(PollFd* fds, nuint nfds, int timeout);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    public static int Errno => Marshal.GetLastPInvokeError();
}
