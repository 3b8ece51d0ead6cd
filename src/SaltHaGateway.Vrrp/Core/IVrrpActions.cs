namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// What the state machine asks the outside world to do. Called while the machine holds its lock, in the
/// order the actions must happen, so implementations must return quickly (queue slow work, keep the order).
/// </summary>
public interface IVrrpActions
{
    void SendAdvertisement(byte priority);
    void AddVirtualAddresses();
    void RemoveVirtualAddresses();
    void SendGratuitousArp(int count);
    void OnStateChanged(VrrpState from, VrrpState to, byte priority);
}
