namespace SaltHaGateway.Proxy.Configuration;

public enum BalanceKind { RoundRobin, IpHash, Hash, LeastConn }

/// <summary>The upstream's balancing method, written as in nginx: <c>round_robin</c>, <c>ip_hash</c>,
/// <c>hash KEY [consistent]</c> or <c>least_conn</c>.</summary>
public sealed record BalanceMethod(BalanceKind Kind, NginxVariableExpression? Key = null, bool Consistent = false)
{
    public static readonly BalanceMethod RoundRobin = new(BalanceKind.RoundRobin);

    public static bool TryParse(string text, out BalanceMethod? method, out string? error)
    {
        var parts = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        method = null;
        error = null;
        switch (parts)
        {
            case ["round_robin"]: method = RoundRobin; return true;
            case ["ip_hash"]: method = new(BalanceKind.IpHash); return true;
            case ["least_conn"]: method = new(BalanceKind.LeastConn); return true;
            case ["hash", var key, .. var rest] when rest.Length == 0 || (rest is ["consistent"]):
                if (!NginxVariableExpression.TryParse(key, out var expression, out error)) return false;
                method = new(BalanceKind.Hash, expression, rest.Length == 1);
                return true;
            case ["hash", ..]:
                error = "expected \"hash KEY\" or \"hash KEY consistent\"";
                return false;
            default:
                error = $"unknown balancing method \"{text}\" (round_robin, ip_hash, hash KEY [consistent], least_conn)";
                return false;
        }
    }

    public override string ToString() => Kind switch
    {
        BalanceKind.IpHash => "ip_hash",
        BalanceKind.LeastConn => "least_conn",
        BalanceKind.Hash => Consistent ? $"hash {Key!.Text} consistent" : $"hash {Key!.Text}",
        _ => "round_robin",
    };
}
