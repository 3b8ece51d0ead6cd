namespace SaltHaGateway.Vrrp;

/// <summary>
/// Something whose state moves this node's VRRP priority (the listener is serving, an upstream has a healthy
/// server, config sync is healthy). The host registers implementations in DI; config refers to them by
/// <see cref="Name"/>. <see cref="Changed"/> may fire on any thread.
/// </summary>
public interface ITrackedCondition
{
    string Name { get; }
    bool IsUp { get; }
    event Action? Changed;
}
