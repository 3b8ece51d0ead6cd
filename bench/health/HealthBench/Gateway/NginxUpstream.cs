using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace HealthBench.Gateway;

/// <summary>
/// One real nginx answering 200 on a loopback port, run as a single process (master_process off) so that
/// SIGKILL takes the whole server down at once, as when act2 dies. Its error log at level info gets one
/// "client closed connection while waiting for request" line per connection that sent no request: that is
/// how a tcp check looks from the upstream, so the log counts probes independently of the gateway.
/// </summary>
internal sealed class NginxUpstream : IAsyncDisposable
{
    private readonly string _dir;
    private Process? _process;

    public NginxUpstream(string root, int port)
    {
        Port = port;
        _dir = Path.Combine(root, $"nginx-{port}");
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "nginx.conf"), $$"""
            daemon off; master_process off; worker_processes 1; pid {{_dir}}/nginx.pid;
            error_log {{_dir}}/error.log info;
            events { worker_connections 4096; }
            http {
              access_log off;
              client_body_temp_path {{_dir}}; proxy_temp_path {{_dir}}; fastcgi_temp_path {{_dir}};
              uwsgi_temp_path {{_dir}}; scgi_temp_path {{_dir}};
              server { listen 127.0.0.1:{{port}}; location / { return 200 "act2 {{port}}\n"; } }
            }
            """);
    }

    public int Port { get; }
    public string Name => $"127.0.0.1:{Port}";

    /// <summary>Starts nginx and returns the moment its port accepts connections.</summary>
    public async Task<DateTimeOffset> StartAsync()
    {
        var info = new ProcessStartInfo("nginx", ["-c", Path.Combine(_dir, "nginx.conf"), "-p", _dir + "/"])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        _process = Process.Start(info) ?? throw new InvalidOperationException("nginx did not start");
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"nginx on {Port} exited: {await _process.StandardError.ReadToEndAsync()}");
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Port));
                return DateTimeOffset.UtcNow;
            }
            catch (SocketException)
            {
                await Task.Delay(2);
            }
        }
        throw new TimeoutException($"nginx on {Port} did not listen within 10 s");
    }

    /// <summary>SIGKILL; returns the moment the process is gone (its port refuses from then on).</summary>
    public DateTimeOffset Kill()
    {
        _process?.Kill();
        _process?.WaitForExit();
        return DateTimeOffset.UtcNow;
    }

    /// <summary>Connections so far that closed without sending a request (tcp checks), from the error log.</summary>
    public int RequestlessConnections()
    {
        var log = Path.Combine(_dir, "error.log");
        if (!File.Exists(log)) return 0;
        using var stream = new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var count = 0;
        while (reader.ReadLine() is { } line)
            if (line.Contains("while waiting for request", StringComparison.Ordinal)) count++;
        return count;
    }

    public ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false }) Kill();
        _process?.Dispose();
        return ValueTask.CompletedTask;
    }

    public static int FreePort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
