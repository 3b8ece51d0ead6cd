using SaltHaGateway.Proxy.Configuration;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Proxy.Upstreams;

/// <summary>
/// One <c>server</c> of an upstream at run time: its options, its passive failure accounting (nginx's
/// max_fails/fail_timeout), the active checker's verdict, and its smooth-weighted-round-robin state. Mutable
/// fields other than <see cref="CheckDown"/> are guarded by the owning <see cref="Upstream"/>'s lock.
/// </summary>
public sealed class UpstreamServer
{
    public UpstreamServer(int index, string id, string name, ServerOptions options, DestinationState destination)
    {
        Index = index;
        Id = id;
        Name = name;
        Options = options;
        Destination = destination;
        Single = [destination];
        EffectiveWeight = options.Weight;
    }

    public int Index { get; }
    public string Id { get; }
    /// <summary>host:port as nginx shows a server; the label used in metrics and on the status page.</summary>
    public string Name { get; }
    public ServerOptions Options { get; }
    public DestinationState Destination { get; }
    /// <summary>This server as YARP's one-element candidate list, allocated once.</summary>
    public IReadOnlyList<DestinationState> Single { get; }

    /// <summary>Set by the active health checker; read without the lock.</summary>
    public volatile bool CheckDown;

    /// <summary>Takes no new requests (maintenance of the node it runs on); requests in flight finish.</summary>
    public volatile bool Drained;

    /// <summary>Metrics series last used for this server (see ProxyMetrics).</summary>
    internal Observability.RequestSeries? LastSeries;

    /// <summary>Requests in flight to this server (least_conn's load), counted by NextUpstreamMiddleware; the same
    /// counter goes on with the server over a reload.</summary>
    internal ActiveRequests Active { get; private set; } = new();

    internal sealed class ActiveRequests
    {
        public int Count;
    }

    internal int Fails;
    internal long CheckedTicks;
    internal long AccessedTicks;
    internal int CurrentWeight;
    internal int EffectiveWeight;

    /// <summary>nginx's test for a server that may take a request now (ngx_http_upstream_get_peer).</summary>
    internal bool IsUsable(long now, long ticksPerSecond)
    {
        if (Options.Down || CheckDown || Drained) return false;
        return !IsFailed(now, ticksPerSecond);
    }

    internal bool IsFailed(long now, long ticksPerSecond) =>
        Options.MaxFails > 0 && Fails >= Options.MaxFails
        && now - CheckedTicks <= (long)(Options.FailTimeout.TotalSeconds * ticksPerSecond);

    /// <summary>State carried over a reload when the server's address and options did not change.</summary>
    internal void CopyStateFrom(UpstreamServer previous)
    {
        Fails = previous.Fails;
        CheckedTicks = previous.CheckedTicks;
        AccessedTicks = previous.AccessedTicks;
        CurrentWeight = previous.CurrentWeight;
        EffectiveWeight = previous.EffectiveWeight;
        CheckDown = previous.CheckDown;
        Active = previous.Active;
    }
}
