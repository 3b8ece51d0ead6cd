using System.Diagnostics;

namespace SaltHaGateway.Vrrp.Adapters;

/// <summary>
/// Runs keepalived-style notify hooks through /bin/sh: notify_master/backup/fault/stop get no extra arguments,
/// the generic notify gets "INSTANCE name STATE priority" appended.
/// </summary>
internal static class NotifyScriptRunner
{
    public static async Task<int> RunAsync(string command, IReadOnlyList<string> extraArgs, TimeSpan timeout, CancellationToken ct,
        ScriptIdentity? identity = null)
    {
        var psi = Shell(identity);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(extraArgs.Count == 0 ? command : command + " \"$@\"");
        psi.ArgumentList.Add("sh");
        foreach (var a in extraArgs)
        {
            psi.ArgumentList.Add(a);
        }
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start /bin/sh");
        var drainOut = process.StandardOutput.ReadToEndAsync(ct);
        var drainErr = process.StandardError.ReadToEndAsync(ct);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return -1;
        }
        await Task.WhenAll(drainOut, drainErr);
        return process.ExitCode;
    }

    /// <summary>/bin/sh, or /bin/sh under setpriv as <paramref name="identity"/> (script_user).</summary>
    internal static ProcessStartInfo Shell(ScriptIdentity? identity)
    {
        if (identity is null)
        {
            return new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        }
        var psi = new ProcessStartInfo("setpriv") { UseShellExecute = false };
        foreach (var a in new[] { "--reuid", identity.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "--regid", identity.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), "--init-groups", "/bin/sh" })
        {
            psi.ArgumentList.Add(a);
        }
        return psi;
    }
}
