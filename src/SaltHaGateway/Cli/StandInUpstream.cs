using System.Net;

namespace SaltHaGateway.Cli;

/// <summary>A tiny HTTP server on 127.0.0.1 that plays an act2 master in the demo: it answers every request with
/// its own name.</summary>
public sealed class StandInUpstream : IAsyncDisposable
{
    private WebApplication? _app;

    private StandInUpstream(string name) => Name = name;

    public string Name { get; }
    public int Port { get; private set; }

    public static async Task<StandInUpstream> StartAsync(string name, int port = 0)
    {
        var standIn = new StandInUpstream(name);
        await standIn.StartAsync(port);
        return standIn;
    }

    public async Task StartAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/{**path}", () => $"hello from stand-in master {Name}\n");
        await app.StartAsync();
        Port = new Uri(app.Urls.First()).Port;
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
