using System.Runtime.InteropServices;

namespace SaltHaGateway.Sync.Native;

/// <summary>A failed libc call, with the errno and the path it concerned.</summary>
public sealed class PosixException(string operation, string path, int errno)
    : IOException($"{operation} '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})")
{
    public int Errno { get; } = errno;

    internal static PosixException Last(string operation, string path) => new(operation, path, LibC.Errno);
}
