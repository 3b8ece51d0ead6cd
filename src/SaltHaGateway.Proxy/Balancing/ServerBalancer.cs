using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>
/// A balancing method, as nginx implements it. <see cref="Pick"/> runs under the upstream's lock and must skip
/// servers that are not usable or were already tried for this request; it returns null when none is left.
/// </summary>
public abstract class ServerBalancer
{
    public virtual bool NeedsKey => false;

    public virtual BalanceKey KeyOf(HttpContext context) => default;

    public abstract UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey key, bool[]? tried, long now, long frequency);

    public static ServerBalancer For(BalanceMethod method, UpstreamServer[] servers) => method.Kind switch
    {
        BalanceKind.IpHash => new IpHash(),
        BalanceKind.Hash when method.Consistent => new ConsistentHash(method.Key!, servers),
        BalanceKind.Hash => new KeyHash(method.Key!),
        BalanceKind.LeastConn => new LeastConn(),
        _ => new SmoothWeightedRoundRobin(),
    };

    protected static bool IsCandidate(UpstreamServer s, bool[]? tried, long now, long frequency) =>
        (tried is null || !tried[s.Index]) && s.IsUsable(now, frequency);

    /// <summary>Walks the servers in config order by weight, as nginx does for a hash value.</summary>
    protected static UpstreamServer ByWeight(UpstreamServer[] servers, int totalWeight, long hash)
    {
        var w = hash % totalWeight;
        foreach (var s in servers)
        {
            if (w < s.Options.Weight) return s;
            w -= s.Options.Weight;
        }
        return servers[^1];
    }
}
