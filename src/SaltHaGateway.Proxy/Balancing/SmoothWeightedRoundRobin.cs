using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>nginx's default method: smooth weighted round-robin (ngx_http_upstream_get_peer). With equal weights it
/// is plain round-robin; weights 5,1,1 give a,a,b,a,c,a,a rather than a burst of five.</summary>
public sealed class SmoothWeightedRoundRobin : ServerBalancer
{
    public override UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey key, bool[]? tried, long now, long frequency)
    {
        UpstreamServer? best = null;
        var total = 0;
        foreach (var s in servers)
        {
            if (!IsCandidate(s, tried, now, frequency)) continue;
            s.CurrentWeight += s.EffectiveWeight;
            total += s.EffectiveWeight;
            if (s.EffectiveWeight < s.Options.Weight) s.EffectiveWeight++;
            if (best is null || s.CurrentWeight > best.CurrentWeight) best = s;
        }
        if (best is not null) best.CurrentWeight -= total;
        return best;
    }
}
