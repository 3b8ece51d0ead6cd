using System.Diagnostics;
using System.Globalization;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// enable_script_security: a script that runs as root must not be replaceable by anyone else, so the program
/// (the command's first word, looked up in PATH) and every directory above it must be owned by root and not
/// writable by group (unless the group is root's) or others. keepalived disables an unsafe script; the gateway
/// refuses to start and names it.
/// </summary>
internal static class ScriptSecurity
{
    /// <returns>Why the command is unsafe, or null.</returns>
    public static string? Check(string command)
    {
        var program = command.TrimStart().Split([' ', '\t'], 2)[0];
        string? path = program.Contains('/') ? Path.GetFullPath(program) : FindInPath(program);
        if (path is null)
        {
            return $"'{program}' is not found in PATH";
        }
        for (string? p = path; p is not null; p = Path.GetDirectoryName(p))
        {
            if (Owner(p) is not { } o)
            {
                return $"cannot stat {p}";
            }
            if (o.Uid != 0) return $"{p} is owned by uid {o.Uid}, not root";
            if ((o.Mode & 0b000_000_010) != 0) return $"{p} is writable by everyone";
            if ((o.Mode & 0b000_010_000) != 0 && o.Gid != 0) return $"{p} is writable by group {o.Gid}";
        }
        return null;
    }

    private static string? FindInPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/sbin:/usr/bin:/sbin:/bin").Split(':')
            .Select(d => Path.Combine(d, program)).FirstOrDefault(File.Exists);

    // No managed API exposes a file's owner; stat(1) at start-up is enough.
    private static (int Uid, int Gid, int Mode)? Owner(string path)
    {
        var psi = new ProcessStartInfo("stat") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-L", "-c", "%u %g %a", "--", path }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi);
        if (p is null) return null;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        var f = output.Split(' ', StringSplitOptions.TrimEntries);
        if (p.ExitCode != 0 || f.Length != 3) return null;
        return (int.Parse(f[0], CultureInfo.InvariantCulture), int.Parse(f[1], CultureInfo.InvariantCulture), Convert.ToInt32(f[2], 8));
    }
}
