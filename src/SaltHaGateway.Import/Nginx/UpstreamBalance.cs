namespace SaltHaGateway.Import.Nginx;

/// <summary>
/// The balancing method of an upstream block as the contract's "Balance" value. ip_hash and hash (like
/// nginx's random) do not support "backup" servers: nginx drops the flag from the allowed server parameters.
/// </summary>
internal sealed record UpstreamBalance(string Value, bool SupportsBackup, NginxDirective? Source)
{
    public static readonly UpstreamBalance RoundRobin = new("round_robin", SupportsBackup: true, Source: null);

    public bool IsDefault => Source is null;

    /// <summary>Parses ip_hash, hash KEY [consistent] and least_conn; null (with a diagnostic) when invalid.</summary>
    public static UpstreamBalance? Parse(NginxDirective d, ImportDiagnostics diagnostics)
    {
        if (!diagnostics.RequireSimple(d))
        {
            return null;
        }

        switch (d.Name)
        {
            case "ip_hash":
                return diagnostics.RequireArgs(d, 0, 0) ? new UpstreamBalance("ip_hash", false, d) : null;
            case "least_conn":
                return diagnostics.RequireArgs(d, 0, 0) ? new UpstreamBalance("least_conn", true, d) : null;
            case "hash":
                if (!diagnostics.RequireArgs(d, 1, 2))
                {
                    return null;
                }

                if (d.Args.Count == 2 && d.Args[1] != "consistent")
                {
                    diagnostics.Error(d, $"invalid parameter \"{d.Args[1]}\"");
                    return null;
                }

                return new UpstreamBalance(string.Join(' ', d.Args.Prepend("hash")), false, d);
            default:
                throw new ArgumentException($"not a balancing directive: {d.Name}", nameof(d));
        }
    }
}
