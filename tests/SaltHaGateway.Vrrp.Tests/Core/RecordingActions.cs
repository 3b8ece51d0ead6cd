using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Tests.Core;

internal sealed class RecordingActions : IVrrpActions
{
    public List<string> Log { get; } = [];
    public List<byte> Adverts { get; } = [];
    public bool VipsPresent { get; private set; }

    public void SendAdvertisement(byte priority) { Adverts.Add(priority); Log.Add($"advert {priority}"); }
    public void AddVirtualAddresses() { VipsPresent = true; Log.Add("add"); }
    public void RemoveVirtualAddresses() { VipsPresent = false; Log.Add("remove"); }
    public void SendGratuitousArp(int count) => Log.Add($"garp {count}");
    public void OnStateChanged(VrrpState from, VrrpState to, byte priority) => Log.Add($"{from}->{to}");
    public void Clear() { Log.Clear(); Adverts.Clear(); }
}
