using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace SaltHaGateway.Vrrp.Tests.Integration;

/// <summary>A process started inside a namespace with its output collected for assertions and diagnostics.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private NodeProcess(Process process, string label)
    {
        _process = process;
        Label = label;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) _lines.Enqueue(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public string Label { get; }
    public string Output => string.Join('\n', _lines);
    public bool HasExited => _process.HasExited;

    public static NodeProcess StartIn(string ns, string label, params string[] command)
    {
        // "ip netns exec" execs the command, so the pid we get is the node's own pid (signals reach it).
        var psi = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "netns", "exec", ns }.Concat(command))
        {
            psi.ArgumentList.Add(a);
        }
        return new NodeProcess(Process.Start(psi)!, label);
    }

    public bool OutputContains(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>Graceful stop (SIGTERM) and wait for exit.</summary>
    public async Task StopAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }
        Shell.Run("kill", "-TERM", _process.Id.ToString(CultureInfo.InvariantCulture));
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        try
        {
            await _process.WaitForExitAsync(cts.Token);
            _lines.Enqueue($"[stopped by SIGTERM: exit code {_process.ExitCode}]");
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            _lines.Enqueue("[did not stop within the timeout after SIGTERM: killed]");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    public override string ToString() => $"--- {Label} ---\n{Output}";
}
