using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// A process started with <c>ip netns exec NS …</c>. ip execs the command (and a <c>sh -c '… exec "$@"'</c> wrapper
/// execs too), so the pid we hold is the program's own: signals reach it and its exit code is ours to read.
/// Output lines are kept with the time they arrived, for diagnostics.
/// </summary>
public sealed class NamespacedProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private bool _disposed;

    private NamespacedProcess(Process process, string label)
    {
        _process = process;
        Label = label;
        Started = DateTimeOffset.UtcNow;
        process.OutputDataReceived += (_, e) => Add(e.Data);
        process.ErrorDataReceived += (_, e) => Add(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Label { get; }
    public DateTimeOffset Started { get; }
    public int Pid => _process.Id;
    public bool HasExited => _process.HasExited;
    public int ExitCode => _process.ExitCode;
    public IReadOnlyCollection<string> Lines => _lines;
    public string Output => string.Join('\n', _lines);

    public static NamespacedProcess Start(string ns, string label, params string[] command)
    {
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command)) info.ArgumentList.Add(a);
        return new NamespacedProcess(Process.Start(info)!, label);
    }

    private void Add(string? line)
    {
        if (line is not null) _lines.Enqueue(DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) + " | " + line);
    }

    public bool OutputContains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    public void Signal(string signal) =>
        Netns.Run("kill", "-" + signal, _process.Id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Waits for the process to exit; false when it is still running at the deadline.</summary>
    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await WaitForExitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // exited between the check and the kill
        }
        _process.Dispose();
    }

    public override string ToString() => $"--- {Label} (pid {Pid}) ---\n{Output}";
}
