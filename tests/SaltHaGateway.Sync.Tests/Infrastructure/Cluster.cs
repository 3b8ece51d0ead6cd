namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>N fully meshed in-process nodes in one temp directory.</summary>
public sealed class Cluster : IAsyncDisposable
{
    private readonly TempDir _dir = new();

    public Cluster(int count)
    {
        for (int i = 0; i < count; i++) Nodes.Add(new TestNode(_dir.Path, ((char)('a' + i)).ToString()));
        foreach (var n in Nodes) n.Peers.AddRange(Nodes.Where(o => o != n));
    }

    public List<TestNode> Nodes { get; } = [];
    public TestNode A => Nodes[0];
    public TestNode B => Nodes[1];
    public string BaseDir => _dir.Path;

    public async Task StartAsync()
    {
        foreach (var n in Nodes) await n.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var n in Nodes) await n.DisposeAsync();
        _dir.Dispose();
    }
}
