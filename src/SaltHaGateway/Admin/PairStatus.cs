using System.Text.Json;
using SaltHaGateway.Health;
using SaltHaGateway.Maintenance;
using SaltHaGateway.Proxy.Upstreams;
using SaltHaGateway.Sync;
using SaltHaGateway.Sync.Hosting;
using SaltHaGateway.Vrrp.Hosting;

namespace SaltHaGateway.Admin;

/// <summary>One gateway as the pair-wide status shows it.</summary>
public sealed record NodeSummary(
    string Node,
    DateTimeOffset Time,
    long ConfigGeneration,
    MaintenanceState Maintenance,
    IReadOnlyList<VrrpSummary> Vrrp,
    IReadOnlyList<ServerSummary> Upstreams,
    SyncSummary? Sync);

public sealed record VrrpSummary(string Instance, string State, int Priority, int BasePriority, string SourceAddress,
    string? MasterAddress, string[] VirtualAddresses, bool HoldingAddresses, DateTimeOffset? Since);

/// <summary><see cref="Up"/>: may take requests now; <see cref="CheckUp"/>: the active check's verdict (null without checks).</summary>
public sealed record ServerSummary(string Upstream, string Server, bool Up, bool? CheckUp, bool Drained, DateTimeOffset? Since, string? LastReason);

public sealed record SyncSummary(bool Healthy, IReadOnlyList<RootStatus> Roots, IReadOnlyList<PeerStatus> Peers, int OpenConflicts);

public sealed record PeerSummary(string Url, string? NodeId, NodeSummary? Status, string? Error);

/// <summary>Body of <c>GET /pair/status</c>: this node and, over config sync's authenticated link, its peers.</summary>
public sealed record PairStatus(NodeSummary Local, IReadOnlyList<PeerSummary> Peers);

/// <summary>Builds this node's summary and asks the peers for theirs (the <c>status</c> verb's one screen).</summary>
public sealed class PairStatusSource(
    UpstreamTable upstreams, UpstreamHealthMonitor health, MaintenanceMode maintenance,
    Proxy.Configuration.ConfigFileReloader config, TimeProvider time, IServiceProvider services)
{
    private static readonly TimeSpan PeerTimeout = TimeSpan.FromSeconds(2);

    public NodeSummary Local()
    {
        var vrrp = services.GetService<VrrpService>()?.Status() ?? [];
        var rows = health.Snapshot().Rows.ToDictionary(r => (r.Upstream, r.Name));
        var servers = upstreams.All.OrderBy(u => u.Name, StringComparer.Ordinal).SelectMany(u => u.All.Select(s =>
        {
            rows.TryGetValue((u.Name, s.Name), out var row);
            return new ServerSummary(u.Name, s.Name, u.IsUsable(s), row?.IsUp, s.Drained, row?.LastChangeAt, row?.LastReason);
        })).ToArray();
        SyncSummary? sync = null;
        if (services.GetService<SyncEngine>() is { } engine)
        {
            var s = engine.GetStatus();
            sync = new SyncSummary(s.Healthy, s.Roots, s.Peers, s.Conflicts.Count(c => c.Open));
        }
        var node = vrrp.Count > 0 ? $"{Environment.MachineName} ({vrrp[0].SourceAddress})" : Environment.MachineName;
        return new NodeSummary(node, time.GetUtcNow(), config.Generation, maintenance.State,
            vrrp.Select(v => new VrrpSummary(v.Instance, v.State, v.EffectivePriority, v.BasePriority, v.SourceAddress, v.MasterAddress,
                v.VirtualAddresses, v.HoldingAddresses, v.LastTransition)).ToArray(),
            servers, sync);
    }

    public byte[] LocalJson() => JsonSerializer.SerializeToUtf8Bytes(Local(), AdminJsonContext.Indented.NodeSummary);

    public async Task<PairStatus> PairAsync(CancellationToken ct)
    {
        var local = Local();
        var peers = new List<PeerSummary>();
        if (services.GetService<SyncEngine>() is { } engine)
        {
            foreach (var (url, nodeId, json, error) in await engine.FetchPeerStatusAsync(PeerTimeout, ct))
            {
                NodeSummary? status = null;
                var problem = error;
                if (json is not null)
                {
                    try
                    {
                        status = JsonSerializer.Deserialize(json, AdminJsonContext.Indented.NodeSummary);
                    }
                    catch (JsonException e)
                    {
                        problem = "unreadable answer: " + e.Message;
                    }
                }
                peers.Add(new PeerSummary(url, nodeId, status, problem));
            }
        }
        return new PairStatus(local, peers);
    }
}
