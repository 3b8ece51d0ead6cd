using System.Runtime.InteropServices;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// The .NET socket shim refuses IP protocol 112 ("Protocol not supported"), so the descriptor is created
/// through libc and then handed to <see cref="System.Net.Sockets.Socket"/>.
/// </summary>
internal static partial class LibC
{
    public const int AF_INET = 2;
    public const int AF_INET6 = 10;
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

    public const short POLLIN = 1;
    public const int MSG_DONTROUTE = 4;
    public const int MSG_DONTWAIT = 0x40;
    public const int EINTR = 4;
    public const int EAGAIN = 11;

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct IoVec
    {
        public void* Base;
        public nuint Length;
    }

    /// <summary>struct msghdr (LP64 layout; sequential layout adds the padding after NameLength).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLength;
        public IoVec* Iov;
        public nuint IovLength;
        public void* Control;
        public nuint ControlLength;
        public int Flags;
    }

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial int poll(PollFd* fds, nuint count, int timeoutMilliseconds);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint recvmsg(int fd, MsgHdr* message, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint sendmsg(int fd, MsgHdr* message, int flags);
}
