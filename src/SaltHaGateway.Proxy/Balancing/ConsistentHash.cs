using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using Microsoft.AspNetCore.Http;
using SaltHaGateway.Proxy.Configuration;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Balancing;

/// <summary>
/// nginx's <c>hash KEY consistent</c> (ketama, Cache::Memcached::Fast compatible): each server gets 160 points per
/// unit of weight on a ring of CRC32 values seeded with "HOST\0PORT"; a key goes to the first point at or after
/// crc32(KEY). Removing a server moves only the keys that were on it. An unusable server's points are skipped.
/// </summary>
public sealed class ConsistentHash : ServerBalancer
{
    private readonly NginxVariableExpression _key;
    private readonly (uint Hash, string Server)[] _ring;
    private readonly SmoothWeightedRoundRobin _fallback = new();

    public ConsistentHash(NginxVariableExpression key, UpstreamServer[] servers)
    {
        _key = key;
        _ring = BuildRing(servers.Select(s => (s.Name, s.Options.Weight)));
    }

    public override bool NeedsKey => true;

    public override BalanceKey KeyOf(HttpContext context) => new(Encoding.UTF8.GetBytes(_key.Evaluate(context, "")));

    public static (uint Hash, string Server)[] BuildRing(IEnumerable<(string Name, int Weight)> servers)
    {
        var points = new List<(uint, string)>();
        foreach (var (name, weight) in servers)
        {
            var (host, port) = SplitHostPort(name);
            var seed = Encoding.ASCII.GetBytes(host).Concat(new byte[] { 0 }).Concat(Encoding.ASCII.GetBytes(port)).ToArray();
            var buffer = new byte[seed.Length + 4];
            seed.CopyTo(buffer, 0);
            uint previous = 0;
            for (var j = 0; j < weight * 160; j++)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(buffer.AsSpan(seed.Length), previous);
                var hash = Crc32.HashToUInt32(buffer);
                points.Add((hash, name));
                previous = hash;
            }
        }
        // nginx sorts by hash and keeps the first of equal hashes.
        return points.OrderBy(p => p.Item1).DistinctBy(p => p.Item1).ToArray();
    }

    public override UpstreamServer? Pick(UpstreamServer[] servers, BalanceKey key, bool[]? tried, long now, long frequency)
    {
        if (servers.Length == 1 || _ring.Length == 0) return _fallback.Pick(servers, key, tried, now, frequency);
        var hash = Crc32.HashToUInt32(key.Bytes ?? []);
        var start = FirstPointAtOrAfter(hash);
        for (var tries = 0; tries < Math.Min(_ring.Length, 21); tries++)
        {
            var name = _ring[(start + tries) % _ring.Length].Server;
            foreach (var s in servers)
            {
                if (s.Name == name && IsCandidate(s, tried, now, frequency)) return s;
            }
        }
        return _fallback.Pick(servers, key, tried, now, frequency);
    }

    /// <summary>For tests: the server name a key maps to when every server is usable.</summary>
    public string Lookup(string key) => _ring[FirstPointAtOrAfter(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(key))) % _ring.Length].Server;

    private int FirstPointAtOrAfter(uint hash)
    {
        int lo = 0, hi = _ring.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (_ring[mid].Hash < hash) lo = mid + 1; else hi = mid;
        }
        return lo % _ring.Length;
    }

    private static (string Host, string Port) SplitHostPort(string server)
    {
        var colon = server.LastIndexOf(':');
        if (colon > 0 && colon < server.Length - 1 && server[(colon + 1)..].All(char.IsAsciiDigit))
            return (server[..colon], server[(colon + 1)..]);
        return (server, "");
    }
}
