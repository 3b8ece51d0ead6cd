using System.Runtime.InteropServices;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// SIGHUP means "reload" to the gateway, as to nginx. A process started under <c>nohup</c> inherits SIGHUP as
/// ignored, and .NET does not install a handler for a signal that is ignored at start, so <c>kill -HUP</c> would be
/// silently lost. nginx sets its own handler whatever it inherited; this puts SIGHUP back to its default first so
/// the registration that follows takes it.
/// </summary>
internal static class HangupSignal
{
    private const int SIGHUP = 1;

    /// <summary>Whether SIGHUP is ignored now (the SigIgn mask of /proc/self/status).</summary>
    public static bool IsIgnored()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("SigIgn:", StringComparison.Ordinal))
                return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (SIGHUP - 1))) != 0;
        }
        return false;
    }

    /// <summary>
    /// Puts an ignored SIGHUP back to its default (the registration that follows replaces that at once); a handled
    /// one is left alone.
    /// </summary>
    public static void StopIgnoring()
    {
        if (!OperatingSystem.IsLinux()) return;
        try
        {
            if (IsIgnored()) signal(SIGHUP, 0);   // SIG_DFL
        }
        catch (IOException) { }
    }

    [DllImport("libc", EntryPoint = "signal")]
    private static extern nint signal(int signum, nint handler);
}
