namespace SaltHaGateway.Vrrp;

/// <summary>
/// A condition whose state the host pushes (listener bound, upstream has a healthy server, sync healthy):
/// register it as <see cref="ITrackedCondition"/> and call <see cref="Set"/> whenever the state is known anew.
/// </summary>
public sealed class TrackedCondition(string name, bool initiallyUp) : ITrackedCondition
{
    private volatile bool _isUp = initiallyUp;

    public string Name { get; } = name;
    public bool IsUp => _isUp;
    public event Action? Changed;

    /// <summary>Raises <see cref="Changed"/> only when the state actually changes.</summary>
    public void Set(bool isUp)
    {
        if (_isUp == isUp)
        {
            return;
        }
        _isUp = isUp;
        Changed?.Invoke();
    }
}
