using System.Diagnostics;
using System.Text;
using SaltHaGateway.Vrrp.Adapters;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>
/// keepalived's notify_fifo: one line per state change, in order, in keepalived's exact format
/// (<c>INSTANCE "VI_1" MASTER 150</c>, <c>GROUP "G1" MASTER 0</c>). The FIFO is created if missing and opened
/// read-write and non-blocking, so a missing or slow reader never stalls a failover (lines are dropped, and counted,
/// once the pipe is full). notify_fifo_script is started once with the FIFO's path as its last argument.
/// </summary>
internal sealed class NotifyFifoWriter : IDisposable
{
    private readonly object _gate = new();
    private readonly int _fd;
    private Process? _script;

    private NotifyFifoWriter(string path, int fd)
    {
        Path = path;
        _fd = fd;
    }

    public string Path { get; }
    public long Dropped { get; private set; }
    public Action? OnDropped { get; set; }

    public static NotifyFifoWriter Open(string path, string? script, ScriptIdentity? identity)
    {
        if (!File.Exists(path) && LibC.mkfifo(path, 0b110_000_000) != 0)
        {
            throw new VrrpStartupException($"Vrrp:Global:NotifyFifo: cannot create FIFO {path} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        if ((File.GetAttributes(path) & FileAttributes.Directory) != 0)
        {
            throw new VrrpStartupException($"Vrrp:Global:NotifyFifo: {path} is a directory");
        }
        int fd = LibC.open(path, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0)
        {
            throw new VrrpStartupException($"Vrrp:Global:NotifyFifo: cannot open {path} (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()})");
        }
        var writer = new NotifyFifoWriter(path, fd);
        if (script is not null)
        {
            var psi = NotifyScriptRunner.Shell(identity);
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(script + " \"$@\"");
            psi.ArgumentList.Add("sh");
            psi.ArgumentList.Add(path);
            writer._script = Process.Start(psi);
        }
        return writer;
    }

    public static string InstanceLine(string name, string state, int priority) => $"INSTANCE \"{name}\" {state} {priority}\n";

    public static string GroupLine(string name, string state) => $"GROUP \"{name}\" {state} 0\n";

    public unsafe void Write(string line)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        lock (_gate)
        {
            fixed (byte* p = bytes)
            {
                if (LibC.write(_fd, p, bytes.Length) != bytes.Length)
                {
                    Dropped++;
                    OnDropped?.Invoke();
                }
            }
        }
    }

    public void Dispose()
    {
        if (_script is { HasExited: false } s)
        {
            s.Kill(entireProcessTree: true);
        }
        _script?.Dispose();
        LibC.close(_fd);
    }
}
