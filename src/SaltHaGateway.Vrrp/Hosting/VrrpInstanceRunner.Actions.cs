using System.Net;
using System.Net.Sockets;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>What the state machine asks for, done against the kernel (raw socket, rtnetlink, AF_PACKET) and hooks.</summary>
internal sealed partial class VrrpInstanceRunner
{
    private string? _lastSendError;

    void IVrrpActions.SendAdvertisement(byte priority)
    {
        var advert = new VrrpAdvertisement(_settings.Version, _settings.VirtualRouterId, priority, _settings.IntervalCentiseconds,
            _settings.VirtualAddresses.Select(v => v.Address).ToArray(), _settings.AuthType, _settings.AuthData);
        IReadOnlyList<IPAddress> destinations = _settings.IsUnicast ? _settings.UnicastPeers : [_settings.MulticastGroup];
        foreach (var destination in destinations)
        {
            try
            {
                if (_v6)
                {
                    _socket6!.Send(VrrpPacketCodec.EncodeMessage(advert, _localAddress, destination), _localAddress, destination);
                }
                else
                {
                    var checksumDestination = _legacyPeers.ContainsKey(destination) ? VrrpPacketCodec.MulticastGroup : null;
                    _socket!.Send(VrrpPacketCodec.EncodeDatagram(advert, _localAddress, destination, ++_ipId, checksumDestination), destination);
                }
                Interlocked.Increment(ref _sent);
                _metrics.AdvertsSent.WithLabels(Name).Inc();
                _lastSendError = null;
            }
            catch (Exception e) when (e is SocketException or IOException or ObjectDisposedException)
            {
                _metrics.SendErrors.WithLabels(Name).Inc();
                // A down link fails every advert; say it once per distinct error, the counter has the rest.
                if (_lastSendError != e.Message)
                {
                    _lastSendError = e.Message;
                    Log.SendFailed(_logger, Name, destination.ToString(), e.Message);
                }
            }
        }
    }

    void IVrrpActions.AddVirtualAddresses()
    {
        // keepalived's order on becoming master: addresses, excluded addresses, routes, then rules.
        var objects = _def.Objects;
        foreach (var a in objects.Addresses.Concat(objects.Excluded))
        {
            Report(_addresses!.Add(a, DeviceIndex(a.Device)), "address");
        }
        foreach (var r in objects.Routes)
        {
            Report(_addresses!.Add(r, DeviceIndex(r.Device)), "route");
        }
        foreach (var r in objects.Rules)
        {
            Report(_addresses!.Add(r), "rule");
        }
        _holdingObjects = true;
        SetObjectGauges(true);
    }

    void IVrrpActions.RemoveVirtualAddresses() => RemoveAddresses();

    void IVrrpActions.SendGratuitousArp(int count)
    {
        // Every address the instance moves (excluded ones too), each on the interface it goes on: gratuitous ARP for
        // IPv4, unsolicited Neighbour Advertisements for IPv6, as keepalived's vrrp_send_update does.
        var objects = _def.Objects;
        var all = Enumerable.Range(0, count)
            .SelectMany(_ => objects.Addresses.Concat(objects.Excluded))
            .Select(a => (a.Address.Address, Device: a.Device ?? _vipNic!.Name))
            .ToArray();
        // vrrp_garp_interval spaces the ARPs of a burst, vrrp_gna_interval the NAs; keepalived keeps the two apart.
        _ = AnnouncementBurst.Send(all.Where(a => a.Address.AddressFamily == AddressFamily.InterNetwork).ToArray(), _settings.Garp.Interval,
            a => SendOneGarp(a.Address, a.Device), _time, _stop.Token);
        _ = AnnouncementBurst.Send(all.Where(a => a.Address.AddressFamily == AddressFamily.InterNetworkV6).ToArray(), _settings.Garp.NaInterval,
            a => SendOneNeighbourAdvert(a.Address, a.Device), _time, _stop.Token);
    }

    private void SendOneGarp(IPAddress address, string device)
    {
        if (!_garpSenders.TryGetValue(device, out var sender))
        {
            return;
        }
        try
        {
            sender.Send(address);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, Name, "ARP broadcast on " + device, e.Message);
        }
    }

    private void SendOneNeighbourAdvert(IPAddress address, string device)
    {
        if (!_naSenders.TryGetValue(device, out var sender))
        {
            return;
        }
        try
        {
            sender.Send(address);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, Name, "Neighbour Advertisement to ff02::1 on " + device, e.Message);
        }
    }

    void IVrrpActions.OnStateChanged(VrrpState from, VrrpState to, byte priority)
    {
        Log.Transition(_logger, Name, from.ToString().ToUpperInvariant(), to.ToString().ToUpperInvariant(), priority);
        _metrics.State.WithLabels(Name).Set((int)to);
        _metrics.Transitions.WithLabels(Name, VrrpMetrics.StateLabel(to)).Inc();
        var notify = _def.Notify;
        string? specific = to switch
        {
            VrrpState.Master => notify.Master,
            VrrpState.Backup => notify.Backup,
            VrrpState.Fault => notify.Fault,
            VrrpState.Initialize => notify.Stop,
            _ => null,
        };
        string keepalivedState = to == VrrpState.Initialize ? "STOP" : to.ToString().ToUpperInvariant();
        _extras.Fifo?.Write(NotifyFifoWriter.InstanceLine(Name, keepalivedState, priority));
        var timeout = TimeSpan.FromSeconds(notify.TimeoutSeconds);
        if (specific is not null)
        {
            _notifyQueue.Writer.TryWrite(ct => RunNotifyAsync(specific, [], timeout, ct));
        }
        if (notify.Any is not null)
        {
            _notifyQueue.Writer.TryWrite(ct => RunNotifyAsync(notify.Any, ["INSTANCE", Name, keepalivedState, priority.ToString(System.Globalization.CultureInfo.InvariantCulture)], timeout, ct));
        }
    }

    private async Task RunNotifyAsync(string command, string[] args, TimeSpan timeout, CancellationToken ct)
    {
        int exit = await NotifyScriptRunner.RunAsync(command, args, timeout, ct, _extras.Scripts);
        if (exit != 0)
        {
            Log.NotifyFailed(_logger, Name, command, exit);
        }
    }

    private void RemoveAddresses()
    {
        // The reverse of AddVirtualAddresses: rules, routes, then addresses.
        var objects = _def.Objects;
        foreach (var r in objects.Rules)
        {
            Report(_addresses!.Remove(r), "rule");
        }
        foreach (var r in objects.Routes)
        {
            Report(_addresses!.Remove(r, DeviceIndex(r.Device)), "route");
        }
        foreach (var a in objects.Excluded.Reverse().Concat(objects.Addresses.Reverse()))
        {
            Report(_addresses!.Remove(a, DeviceIndex(a.Device)), "address");
        }
        _holdingObjects = false;
        SetObjectGauges(false);
    }

    private void SetObjectGauges(bool held)
    {
        var o = _def.Objects;
        _metrics.VirtualObjects.WithLabels(Name, "address").Set(held ? o.Addresses.Count : 0);
        _metrics.VirtualObjects.WithLabels(Name, "excluded_address").Set(held ? o.Excluded.Count : 0);
        _metrics.VirtualObjects.WithLabels(Name, "route").Set(held ? o.Routes.Count : 0);
        _metrics.VirtualObjects.WithLabels(Name, "rule").Set(held ? o.Rules.Count : 0);
    }

    private volatile bool _holdingObjects;

    private int DeviceIndex(string? device) => device is null ? _vipNic!.Index : _deviceIndexes.GetValueOrDefault(device);

    private void Report(CommandResult r, string kind)
    {
        if (!r.Success)
        {
            _metrics.NetlinkErrors.WithLabels(Name, kind).Inc();
            Log.AddressCommandFailed(_logger, Name, r.Description);
        }
    }
}
