namespace SaltHaGateway.Proxy.Upstreams;

/// <summary>The active health checker's verdicts, as the proxy needs them. The proxy keeps a copy on each server
/// and updates it on <see cref="Changed"/>, so the request path never asks.</summary>
public interface IUpstreamHealthSource
{
    bool IsUp(string upstream, string server);
    event Action<string, string, bool>? Changed;
    /// <summary>Live traffic could not connect to a server: a hint to probe it now.</summary>
    void ReportConnectFailure(string upstream, string server);
}

/// <summary>Used when no active checks run: every server is up as far as probing knows.</summary>
public sealed class NoActiveHealthChecks : IUpstreamHealthSource
{
    public bool IsUp(string upstream, string server) => true;
    public event Action<string, string, bool>? Changed { add { } remove { } }
    public void ReportConnectFailure(string upstream, string server) { }
}
