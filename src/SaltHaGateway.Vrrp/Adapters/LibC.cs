using System.Runtime.InteropServices;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// The .NET socket shim refuses IP protocol 112 ("Protocol not supported"), so the descriptor is created
/// through libc and then handed to <see cref="System.Net.Sockets.Socket"/>.
/// </summary>
internal static partial class LibC
{
    public const int AF_INET = 2;
    public const int SOCK_RAW = 3;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int EPERM = 1;
    public const int EACCES = 13;

    [LibraryImport("libc", SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    public const int O_RDWR = 2;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mkfifo(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint write(int fd, byte* buffer, nint count);

    [LibraryImport("libc")]
    public static partial int close(int fd);

    [LibraryImport("libc")]
    public static partial uint geteuid();
}
