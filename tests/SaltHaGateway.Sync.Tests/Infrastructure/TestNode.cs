using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Sync.Identity;
using SaltHaGateway.Sync.Observability;

namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>One in-process node: its own temp tree (roots live under <see cref="Tree"/>), state dir and port.</summary>
public sealed class TestNode : IAsyncDisposable
{
    public static readonly string[] Roots = ["/etc/salt/master", "/etc/salt/master.d", "/etc/salt/pki/master", "/srv/salt"];

    private IHost? _host;

    public TestNode(string baseDir, string name)
    {
        Name = name;
        Dir = Path.Combine(baseDir, name);
        Tree = Path.Combine(Dir, "tree");
        State = Path.Combine(Dir, "state");
        Directory.CreateDirectory(Tree);
        Identity = NodeIdentity.LoadOrCreate(State).Identity;
        Port = TestPorts.Free();
        foreach (var r in Roots.Where(r => !r.EndsWith("/master", StringComparison.Ordinal) || r.EndsWith("pki/master", StringComparison.Ordinal)))
            Directory.CreateDirectory(Tree + r);
        File.WriteAllText(Tree + "/etc/salt/master", "# master config\n");
    }

    public string Name { get; }
    public string Dir { get; }
    public string Tree { get; }
    public string State { get; }
    public NodeIdentity Identity { get; }
    public int Port { get; }
    public string Url => $"https://127.0.0.1:{Port}";
    public List<TestNode> Peers { get; } = [];
    public Dictionary<string, string?> Extra { get; } = new();
    public CollectorRegistry Registry { get; private set; } = Metrics.NewCustomRegistry();
    public SyncEngine Engine => _host!.Services.GetRequiredService<SyncEngine>();
    public bool Running => _host is not null;
    public ManualResetEventSlim? WatcherGate { get; set; }
    public string[] RootList { get; set; } = Roots;
    /// <summary>Entries this node asks its peers for per request.</summary>
    public int BatchSize { get; set; } = 2000;

    public string P(string path) => Tree + path;

    public Dictionary<string, string?> Configuration()
    {
        var c = new Dictionary<string, string?>
        {
            ["ConfigSync:Enabled"] = "true",
            ["ConfigSync:Listen"] = Url,
            ["ConfigSync:StateDirectory"] = State,
            ["ConfigSync:QuietMilliseconds"] = "20",
            ["ConfigSync:RescanIntervalSeconds"] = "600",
        };
        for (int i = 0; i < RootList.Length; i++) c[$"ConfigSync:Roots:{i}"] = RootList[i];
        for (int i = 0; i < Peers.Count; i++)
        {
            c[$"ConfigSync:Peers:{i}:Url"] = Peers[i].Url;
            c[$"ConfigSync:Peers:{i}:Fingerprint"] = Peers[i].Identity.Fingerprint;
        }
        foreach (var (k, v) in Extra) c[k] = v;
        return c;
    }

    public async Task StartAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(Configuration());
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(new PrefixLoggerProvider(Name));
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        Registry = Metrics.NewCustomRegistry();
        builder.Services.AddSingleton(new SyncMetrics(Metrics.WithCustomRegistry(Registry)));
        builder.Services.AddConfigSync(builder.Configuration.GetSection("ConfigSync"),
            new SyncEngineSettings { RootPrefix = Tree, PollWait = TimeSpan.FromSeconds(5), WatcherReadGate = WatcherGate, BatchSize = BatchSize });
        _host = builder.Build();
        await _host.StartAsync();
        await Wait.UntilAsync(() => Engine.PeerEndpoint is not null, $"{Name} serving peers");
    }

    public async Task StopAsync()
    {
        if (_host is null) return;
        await _host.StopAsync(TimeSpan.FromSeconds(10));
        _host.Dispose();
        _host = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
