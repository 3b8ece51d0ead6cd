using System.Runtime.InteropServices;

namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>Test-side view of stat fields the BCL lacks (via the library's own statx binding).</summary>
public static class Posix
{
    public static (int Uid, int Gid, int Mode, long MtimeNs, long Size) Stat(string path)
    {
        var st = SaltHaGateway.Sync.Native.StatInfo.LStat(path) ?? throw new FileNotFoundException(path);
        return (st.Uid, st.Gid, st.Mode, st.MtimeNs, st.Size);
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown(string path, int uid, int gid);

    public static void Chown(string path, int uid, int gid)
    {
        if (lchown(path, uid, gid) != 0) throw new IOException($"lchown {path}: {Marshal.GetLastPInvokeError()}");
    }
}
