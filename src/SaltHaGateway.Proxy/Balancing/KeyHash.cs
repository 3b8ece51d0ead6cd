using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>
/// nginx's <c>hash KEY</c> (ngx_http_upstream_hash_module, Cache::Memcached compatible): each round adds
/// <c>(crc32([REHASH] KEY) &gt;&gt; 16) &amp; 0x7fff</c> to the running hash and walks the weights in config order;
/// an unusable pick is rehashed, and after 20 tries it falls back to round-robin.
/// </summary>
public sealed class KeyHash(NginxVariableExpression key) : ServerBalancer
{
    private readonly SmoothWeightedRoundRobin _fallback = new();

    public override bool NeedsKey => true;

    public override BalanceKey KeyOf(HttpContext context) => new(Encoding.UTF8.GetBytes(key.Evaluate(context, "")));

    public override UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey balanceKey, bool[]? tried, long now, long frequency)
    {
        var bytes = balanceKey.Bytes ?? [];
        if (servers.Length == 1 || bytes.Length == 0) return _fallback.Pick(servers, balanceKey, tried, now, frequency);
        var totalWeight = 0;
        foreach (var s in servers) totalWeight += s.Options.Weight;
        long hash = 0;
        for (var rehash = 0; rehash <= 20; rehash++)
        {
            var crc = new Crc32();
            if (rehash > 0) crc.Append(Encoding.ASCII.GetBytes(rehash.ToString(CultureInfo.InvariantCulture)));
            crc.Append(bytes);
            hash += (crc.GetCurrentHashAsUInt32() >> 16) & 0x7fff;
            var server = ByWeight(servers, totalWeight, hash);
            if (IsCandidate(server, tried, now, frequency)) return server;
        }
        return _fallback.Pick(servers, balanceKey, tried, now, frequency);
    }
}
