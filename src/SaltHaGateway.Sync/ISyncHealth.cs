namespace SaltHaGateway.Sync;

/// <summary>
/// "Config sync healthy" for VRRP tracking: the engine runs, its index is usable and no root is
/// paused by a safety check. A peer being down does not make this node unhealthy.
/// </summary>
public interface ISyncHealth
{
    bool IsHealthy { get; }
}
