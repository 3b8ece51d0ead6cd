using System.Diagnostics;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>A real nginx on 127.0.0.1 answering every request with its own name — the stand-in for one act2 master.
/// Runs without a master process so that killing it kills the server.</summary>
public sealed class NginxUpstream : IAsyncDisposable
{
    private readonly string _dir;
    private Process? _process;

    private NginxUpstream(string name, int port, string dir)
    {
        Name = name;
        Port = port;
        _dir = dir;
    }

    public string Name { get; }
    public int Port { get; }
    public string Address => $"http://127.0.0.1:{Port}";

    /// <param name="location">The body of <c>location /</c>; by default it answers with the name.</param>
    public static async Task<NginxUpstream> StartAsync(string name, int? port = null, string? extraHttp = null, string? location = null)
    {
        var dir = Directory.CreateTempSubdirectory("shg-nginx-").FullName;
        var upstream = new NginxUpstream(name, port ?? TestPorts.Free(), dir);
        await File.WriteAllTextAsync(Path.Combine(dir, "nginx.conf"), $$"""
            worker_processes 1;
            daemon off;
            master_process off;
            pid {{dir}}/nginx.pid;
            error_log {{dir}}/error.log;
            events { worker_connections 1024; }
            http {
              access_log off;
              client_body_temp_path {{dir}};
              proxy_temp_path {{dir}};
              {{extraHttp}}
              server {
                listen 127.0.0.1:{{upstream.Port}};
                location / { {{location ?? $"return 200 \"{name}\\n\";"}} }
              }
            }
            """);
        await upstream.StartAsync();
        return upstream;
    }

    public async Task StartAsync()
    {
        var info = new ProcessStartInfo("nginx") { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in new[] { "-c", Path.Combine(_dir, "nginx.conf"), "-p", _dir }) info.ArgumentList.Add(a);
        _process = Process.Start(info)!;
        await TestPorts.WaitUntilListeningAsync(Port, TimeSpan.FromSeconds(10));
    }

    /// <summary>SIGKILL: the port refuses connections from now on.</summary>
    public async Task KillAsync()
    {
        if (_process is null || _process.HasExited) return;
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
