using System.Net.Sockets;
using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>
/// nginx's <c>ip_hash</c> (ngx_http_upstream_ip_hash_module), so a client lands on the same master as it did behind
/// nginx: the key is the first three octets of an IPv4 address or all sixteen bytes of IPv6; the hash starts at 89
/// and folds each byte as <c>(hash * 113 + b) % 6271</c>; the server is found by walking the weights in config
/// order; an unusable pick is rehashed, and after 20 tries it falls back to round-robin.
/// </summary>
public sealed class IpHash : ServerBalancer
{
    private static readonly byte[] PseudoAddress = [0, 0, 0];
    private readonly SmoothWeightedRoundRobin _fallback = new();

    public override bool NeedsKey => true;

    public override BalanceKey KeyOf(HttpContext context) => new(KeyBytes(ClientAddress.IpOf(context)));

    public static byte[] KeyBytes(System.Net.IPAddress? ip) => ip?.AddressFamily switch
    {
        AddressFamily.InterNetwork => ip.GetAddressBytes()[..3],
        AddressFamily.InterNetworkV6 => ip.GetAddressBytes(),
        _ => PseudoAddress,
    };

    public override UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey key, bool[]? tried, long now, long frequency)
    {
        if (servers.Length == 1) return _fallback.Pick(servers, key, tried, now, frequency);
        var totalWeight = 0;
        foreach (var s in servers) totalWeight += s.Options.Weight;
        var bytes = key.Bytes ?? PseudoAddress;
        var hash = 89;
        for (var tries = 0; tries <= 20; tries++)
        {
            foreach (var b in bytes) hash = (hash * 113 + b) % 6271;
            var server = ByWeight(servers, totalWeight, hash);
            if (IsCandidate(server, tried, now, frequency)) return server;
        }
        return _fallback.Pick(servers, key, tried, now, frequency);
    }
}
