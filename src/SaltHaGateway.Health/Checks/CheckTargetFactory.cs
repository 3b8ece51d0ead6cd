namespace SaltHaGateway.Health;

/// <summary>
/// Builds a <see cref="CheckTarget"/> from a proxy destination as the config file describes it: the
/// destination address (http://host:port), an optional health address whose port is this server's check
/// port (and whose host, if different, is where probes go), and an optional Host header.
/// </summary>
public static class CheckTargetFactory
{
    public static bool TryCreate(string upstream, string name, string address, string? healthAddress, string? hostHeader,
        CheckSpec spec, out CheckTarget? target, out string? error)
    {
        target = null;
        if (!TryParseAddress(address, out var host, out var port, out error))
            return false;
        var checkHost = host;
        var checkSpec = spec;
        if (!string.IsNullOrWhiteSpace(healthAddress))
        {
            if (!TryParseAddress(healthAddress, out var healthHost, out var healthPort, out error))
            {
                error = "health address: " + error;
                return false;
            }
            checkHost = healthHost;
            // A per-server check port works like the module's port=, and shows in the status page's port column.
            if (healthPort != port) checkSpec = spec with { Port = healthPort };
        }
        target = new CheckTarget(upstream, name, checkHost, port, string.IsNullOrWhiteSpace(hostHeader) ? null : hostHeader, checkSpec);
        return true;
    }

    private static bool TryParseAddress(string address, out string host, out int port, out string? error)
    {
        host = "";
        port = 0;
        error = null;
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = $"\"{address}\" is not an http:// or https:// address";
            return false;
        }
        host = uri.HostNameType == UriHostNameType.IPv6 ? uri.Host.Trim('[', ']') : uri.Host;
        port = uri.Port;
        return true;
    }
}
