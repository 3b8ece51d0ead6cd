using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Sync.Configuration;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync.Hooks;

/// <summary>
/// Runs an operator command per path class after remote changes of that class were applied
/// (e.g. restart salt-master after master.d changed), and after local ones when the hook asks for them. Debounced: a burst of changes runs the
/// command once, after the class has been quiet for its DebounceSeconds. Off unless configured.
/// </summary>
internal sealed partial class HookRunner(IReadOnlyDictionary<PathClass, HookOptions> hooks, TimeProvider time, ILogger logger)
{
    private readonly Dictionary<PathClass, long> _due = new();
    private readonly Lock _lock = new();
    private readonly SemaphoreSlim _wake = new(0);

    public bool Enabled => hooks.Values.Any(h => !string.IsNullOrWhiteSpace(h.Command));

    /// <summary>A change of <paramref name="pathClass"/> was applied from a peer, or (<paramref name="local"/>) made on this node.</summary>
    public void Notify(PathClass pathClass, bool local = false)
    {
        if (!hooks.TryGetValue(pathClass, out var hook) || string.IsNullOrWhiteSpace(hook.Command)) return;
        if (local && !hook.OnLocalChanges) return;
        lock (_lock) _due[pathClass] = time.GetTimestamp() + (long)(hook.DebounceSeconds * (double)time.TimestampFrequency);
        _wake.Release();
    }

    public async Task RunAsync(CancellationToken ct)
    {
        if (!Enabled) return;
        while (!ct.IsCancellationRequested)
        {
            TimeSpan wait = Timeout.InfiniteTimeSpan;
            var ready = new List<PathClass>();
            lock (_lock)
            {
                var now = time.GetTimestamp();
                foreach (var (c, due) in _due)
                {
                    if (due <= now) ready.Add(c);
                    else
                    {
                        var w = TimeSpan.FromSeconds((due - now) / (double)time.TimestampFrequency);
                        if (wait == Timeout.InfiniteTimeSpan || w < wait) wait = w;
                    }
                }
                foreach (var c in ready) _due.Remove(c);
            }
            foreach (var c in ready) await RunOneAsync(c, hooks[c].Command!, ct).ConfigureAwait(false);
            if (ready.Count > 0) continue;
            try
            {
                await _wake.WaitAsync(wait, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { return; }
        }
    }

    private async Task RunOneAsync(PathClass pathClass, string command, CancellationToken ct)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("/bin/sh", ["-c", command]) { UseShellExecute = false })!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(5));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            LogHookRan(pathClass, command, process.ExitCode);
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException or OperationCanceledException)
        {
            LogHookFailed(pathClass, command, e.Message);
        }
    }

    [LoggerMessage(EventId = 4601, Level = LogLevel.Information, Message = "Hook for {PathClass} ran '{Command}': exit {ExitCode}")]
    private partial void LogHookRan(PathClass pathClass, string command, int exitCode);

    [LoggerMessage(EventId = 4602, Level = LogLevel.Error, Message = "Hook for {PathClass} '{Command}' failed: {Error}")]
    private partial void LogHookFailed(PathClass pathClass, string command, string error);
}
