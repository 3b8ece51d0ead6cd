using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>
/// Counts running processes the way keepalived's track_process matches them: the name (/proc/PID/stat's comm, at most
/// 15 characters) exactly, or with parameters or FullCommand, argv[0] of /proc/PID/cmdline exactly plus the
/// parameters (exact, "partial": the first ones, "initial": the last may be longer). Zombies do not count.
/// </summary>
internal static class ProcessTable
{
    public static int Count(VrrpTrackProcessOptions spec, string procRoot = "/proc")
    {
        bool byCommandLine = spec.FullCommand || spec.Parameters is not null || spec.ParamMatch is not null;
        int count = 0;
        IEnumerable<string> dirs;
        try
        {
            dirs = Directory.EnumerateDirectories(procRoot);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        foreach (var dir in dirs)
        {
            var pid = Path.GetFileName(dir);
            if (pid.Length == 0 || pid[0] is < '1' or > '9' || !pid.All(char.IsAsciiDigit))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                int open = stat.IndexOf('(', StringComparison.Ordinal);
                int close = stat.LastIndexOf(')');
                if (open < 0 || close < open || close + 2 >= stat.Length || stat[close + 2] == 'Z')
                {
                    continue;
                }
                if (!byCommandLine)
                {
                    if (stat.AsSpan(open + 1, close - open - 1).SequenceEqual(spec.Process)) count++;
                    continue;
                }
                var argv = File.ReadAllText(Path.Combine(dir, "cmdline")).TrimEnd('\0').Split('\0');
                if (argv[0] == spec.Process && ParametersMatch(spec, argv.AsSpan(1)))
                {
                    count++;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The process exited while we looked.
            }
        }
        return count;
    }

    internal static bool ParametersMatch(VrrpTrackProcessOptions spec, ReadOnlySpan<string> args)
    {
        if (spec.Parameters is null && spec.ParamMatch is null)
        {
            return true;    // FullCommand alone compares argv[0] only
        }
        var want = spec.Parameters ?? [];
        switch (spec.ParamMatch)
        {
            case "partial":
                return args.Length >= want.Count && args[..want.Count].SequenceEqual(want.ToArray());
            case "initial":
                if (want.Count == 0) return true;
                return args.Length >= want.Count && args[..(want.Count - 1)].SequenceEqual(want.Take(want.Count - 1).ToArray())
                    && args[want.Count - 1].StartsWith(want[^1], StringComparison.Ordinal);
            default:
                return args.SequenceEqual(want.ToArray());
        }
    }
}
