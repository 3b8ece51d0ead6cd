using SaltHaGateway.Vrrp.Adapters;

namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>track_interface: up while the link's operstate is up.</summary>
internal sealed class InterfaceUpCondition(string device)
    : PolledCondition("interface:" + device, NetworkInterfaceInfo.IsLinkUp(device))
{
    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(200);

    protected override Task<bool> EvaluateAsync(bool current, CancellationToken ct) =>
        Task.FromResult(NetworkInterfaceInfo.IsLinkUp(device));
}
