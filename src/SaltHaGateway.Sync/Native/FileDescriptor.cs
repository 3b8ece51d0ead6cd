using Microsoft.Win32.SafeHandles;

namespace SaltHaGateway.Sync.Native;

/// <summary>An owned file descriptor, closed on dispose.</summary>
internal sealed class FileDescriptor : IDisposable
{
    private int _fd;

    public FileDescriptor(int fd) => _fd = fd;

    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(nameof(FileDescriptor));

    public static FileDescriptor OpenAt(int dirfd, string name, int flags, uint mode, string displayPath)
    {
        var fd = LibC.OpenAt(dirfd, name, flags | LibC.O_CLOEXEC, mode);
        return fd >= 0 ? new FileDescriptor(fd) : throw PosixException.Last("open", displayPath);
    }

    public static FileDescriptor OpenDirectory(string path) =>
        OpenAt(LibC.AT_FDCWD, path, LibC.O_RDONLY | LibC.O_DIRECTORY, 0, path);

    /// <summary>Hands the descriptor to a SafeFileHandle (for FileStream); this object no longer owns it.</summary>
    public SafeFileHandle ToSafeFileHandle()
    {
        var handle = new SafeFileHandle(Fd, ownsHandle: true);
        _fd = -1;
        return handle;
    }

    public void Fsync(string displayPath)
    {
        if (LibC.Fsync(Fd) != 0) throw PosixException.Last("fsync", displayPath);
    }

    public void Dispose()
    {
        if (_fd >= 0)
        {
            LibC.Close(_fd);
            _fd = -1;
        }
    }
}
