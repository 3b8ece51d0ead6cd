using System.Diagnostics;
using System.Text.Json;

namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>A node in its own process (the node runner), optionally inside a fresh mount namespace.</summary>
public sealed class ProcessNode : IAsyncDisposable
{
    private Process? _process;

    public static string RunnerDll => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "NodeRunner", "bin",
#if DEBUG
        "Debug",
#else
        "Release",
#endif
        "net10.0", "SaltHaGateway.Sync.NodeRunner.dll"));

    public required string ConfigPath { get; init; }
    /// <summary>Shell commands run inside the new mount namespace before the node starts (null: no namespace).</summary>
    public string? NamespaceSetup { get; init; }
    public int Pid => _process?.Id ?? -1;

    public static string WriteConfig(string path, Dictionary<string, string?> flat, string? rootPrefix)
    {
        var root = new Dictionary<string, object?>();
        foreach (var (key, value) in flat)
        {
            var parts = key.Split(':');
            var node = root;
            for (int i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child) || child is not Dictionary<string, object?> d)
                    node[parts[i]] = d = new Dictionary<string, object?>();
                node = d;
            }
            node[parts[^1]] = value;
        }
        root["Test"] = new Dictionary<string, object?> { ["RootPrefix"] = rootPrefix, ["LogLevel"] = "Warning" };
        File.WriteAllText(path, JsonSerializer.Serialize(root));
        return path;
    }

    public async Task StartAsync()
    {
        var psi = NamespaceSetup is null
            ? new ProcessStartInfo("dotnet", [RunnerDll, ConfigPath])
            : new ProcessStartInfo("unshare", ["-m", "--propagation", "private", "sh", "-c", $"{NamespaceSetup} && exec dotnet '{RunnerDll}' '{ConfigPath}'"]);
        psi.RedirectStandardOutput = true;
        psi.RedirectStandardError = true;
        psi.UseShellExecute = false;
        _process = Process.Start(psi)!;
        var ready = new TaskCompletionSource();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            Console.Error.WriteLine($"[proc {_process.Id}] {e.Data}");
            if (e.Data.StartsWith("READY", StringComparison.Ordinal)) ready.TrySetResult();
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[proc {_process.Id} err] {e.Data}"); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var done = await Task.WhenAny(ready.Task, _process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (done != ready.Task) throw new InvalidOperationException($"node process did not become ready (exited: {_process.HasExited})");
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill9()
    {
        _process?.Kill();
        _process?.WaitForExit(10_000);
        _process?.Dispose();
        _process = null;
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            Process.Start("kill", ["-TERM", _process.Id.ToString()])?.WaitForExit(5000);
            if (!_process.WaitForExit(10_000)) _process.Kill();
        }
        _process?.Dispose();
        _process = null;
        return ValueTask.CompletedTask;
    }
}
