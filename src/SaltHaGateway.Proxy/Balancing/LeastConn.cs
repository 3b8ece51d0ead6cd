using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>nginx's <c>least_conn</c>: the usable server with the fewest active requests per unit of weight;
/// ties are broken by smooth weighted round-robin among the tied servers.</summary>
public sealed class LeastConn : ServerBalancer
{
    public override UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey key, bool[]? tried, long now, long frequency)
    {
        UpstreamServer? best = null;
        var many = false;
        foreach (var s in servers)
        {
            if (!IsCandidate(s, tried, now, frequency)) continue;
            if (best is null || Load(s) * best.Options.Weight < Load(best) * s.Options.Weight) { best = s; many = false; }
            else if (Load(s) * best.Options.Weight == Load(best) * s.Options.Weight) many = true;
        }
        if (best is null || !many) return best;

        UpstreamServer? chosen = null;
        var total = 0;
        foreach (var s in servers)
        {
            if (!IsCandidate(s, tried, now, frequency)) continue;
            if (Load(s) * best.Options.Weight != Load(best) * s.Options.Weight) continue;
            s.CurrentWeight += s.EffectiveWeight;
            total += s.EffectiveWeight;
            if (s.EffectiveWeight < s.Options.Weight) s.EffectiveWeight++;
            if (chosen is null || s.CurrentWeight > chosen.CurrentWeight) chosen = s;
        }
        if (chosen is null) return best; // loads moved under us; any tied server will do
        chosen.CurrentWeight -= total;
        return chosen;
    }

    private static long Load(UpstreamServer s) => Volatile.Read(ref s.Active.Count);
}
