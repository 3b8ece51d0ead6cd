using Microsoft.Extensions.Logging;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>
/// keepalived's static_ipaddress, static_routes and static_rules: installed when VRRP starts (before any instance),
/// kept while it runs whatever the instances do, and removed when it stops. A refused change is logged and counted,
/// never fatal: the data plane keeps running.
/// </summary>
internal sealed partial class StaticIpObjects(VirtualIpObjects objects, ILogger logger, VrrpMetrics metrics) : IDisposable
{
    private NetlinkAddressEditor? _editor;
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

    public bool IsEmpty => objects.Addresses.Count + objects.Routes.Count + objects.Rules.Count == 0;

    public void Install()
    {
        if (IsEmpty)
        {
            return;
        }
        _editor = new NetlinkAddressEditor();
        foreach (var device in objects.Addresses.Select(a => a.Device)
            .Concat(objects.Routes.SelectMany(r => r.NextHops.Select(h => h.Device).Prepend(r.Device))).OfType<string>().Distinct())
        {
            _indexes[device] = NetworkInterfaceInfo.Find(device)?.Index
                ?? throw new VrrpStartupException($"Vrrp:Static*: no interface named '{device}'");
        }
        foreach (var a in objects.Addresses) Report(_editor.Add(a, _indexes[a.Device!]), "address");
        foreach (var r in objects.Routes) Report(_editor.Add(r, r.Device is null ? 0 : _indexes[r.Device]), "route");
        foreach (var r in objects.Rules) Report(_editor.Add(r), "rule");
        metrics.VirtualObjects.WithLabels("static", "address").Set(objects.Addresses.Count);
        metrics.VirtualObjects.WithLabels("static", "route").Set(objects.Routes.Count);
        metrics.VirtualObjects.WithLabels("static", "rule").Set(objects.Rules.Count);
    }

    public void Remove()
    {
        if (_editor is null)
        {
            return;
        }
        foreach (var r in objects.Rules) Report(_editor.Remove(r), "rule");
        foreach (var r in objects.Routes) Report(_editor.Remove(r, r.Device is null ? 0 : _indexes[r.Device]), "route");
        foreach (var a in objects.Addresses) Report(_editor.Remove(a, _indexes[a.Device!]), "address");
        foreach (var kind in new[] { "address", "route", "rule" }) metrics.VirtualObjects.WithLabels("static", kind).Set(0);
        _editor.Dispose();
        _editor = null;
    }

    private void Report(CommandResult r, string kind)
    {
        if (!r.Success)
        {
            metrics.NetlinkErrors.WithLabels("static", kind).Inc();
            LogFailed(r.Description);
        }
    }

    [LoggerMessage(EventId = 5014, Level = LogLevel.Error, Message = "VRRP static: {Command}")]
    private partial void LogFailed(string command);

    public void Dispose() => _editor?.Dispose();
}
