using System.Net.Sockets;

namespace SaltHaGateway.Control;

/// <summary>
/// The control socket's file: made ready before the listener binds (a stale file from a crash is removed, a live one
/// belongs to another gateway) and restricted to its owner once bound. The endpoints that change state are served
/// only here: opening the socket needs write permission on a mode-0600 root-owned file, which no browser page and no
/// host on the network has.
/// </summary>
public static class ControlSocket
{
    public sealed record Plan(string Path, bool Available, string? Problem);

    /// <summary>Whether the socket can be offered. Throws <see cref="InvalidOperationException"/> when another
    /// process is serving on it (two gateways cannot share one control socket).</summary>
    public static Plan Prepare(string path)
    {
        var dir = System.IO.Path.GetDirectoryName(path)!;
        try
        {
            Directory.CreateDirectory(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            if (File.Exists(path))
            {
                if (IsServed(path))
                    throw new InvalidOperationException($"Gateway:Control:Socket: {path} is in use by another running gateway; give each gateway its own socket path");
                File.Delete(path);
            }
            // Binding needs write access to the directory; find out now rather than fail the whole start.
            var probe = System.IO.Path.Combine(dir, $".probe-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return new Plan(path, true, null);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            return new Plan(path, false, e.Message);
        }
    }

    /// <summary>Owner read/write only, as HAProxy's stats socket with <c>mode 600</c>.</summary>
    public static void Restrict(string path) => File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);

    public static void Remove(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
        }
    }

    private static bool IsServed(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>An HTTP client whose every connection goes to the control socket.</summary>
    public static HttpClient Client(string path, TimeSpan timeout) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (_, ct) =>
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), ct);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    })
    {
        BaseAddress = new Uri("http://localhost"),
        Timeout = timeout,
    };
}
