using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using SaltHaGateway.Vrrp.Adapters;
using SaltHaGateway.Vrrp.Configuration;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Tracking;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>
/// Runs one instance: wires the state machine to the raw socket, rtnetlink, GARP and notify hooks.
/// Adverts, address changes and GARP are done inline, in the order the state machine asks for them: each is
/// one non-blocking kernel call, and a queue hop onto a busy thread pool cost more than the work on a loaded
/// node. Notify hooks run from their own queue so a slow script never delays a failover.
/// </summary>
internal sealed partial class VrrpInstanceRunner : IVrrpActions, IAsyncDisposable
{
    private readonly VrrpInstanceDefinition _def;
    private readonly IReadOnlyList<(TrackDefinition Track, ITrackedCondition Condition)> _tracked;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly VrrpMetrics _metrics;
    private NetlinkAddressEditor? _addresses;
    private readonly Channel<Func<CancellationToken, Task>> _notifyQueue = Channel.CreateUnbounded<Func<CancellationToken, Task>>(new() { SingleReader = true });
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<VrrpRejectReason, long> _rejections = new();
    private readonly object _trackingGate = new();
    private readonly VrrpInstanceSettings _settings;
    private NetworkInterfaceInfo? _nic;
    private VrrpRawSocket? _socket;
    // IPv6 instances (VRRPv3 over IPv6) use this one instead of _socket.
    private VrrpRawSocket6? _socket6;
    private bool _v6;
    private GratuitousArpSender? _garp;
    private VrrpStateMachine? _machine;
    private IPAddress _localAddress = IPAddress.Any;
    private ushort _ipId;
    private long _sent;
    private long _received;
    // Peers that checksum v3 unicast with the multicast group (keepalived <= 1.3.6); we answer in kind, as keepalived does.
    private readonly ConcurrentDictionary<IPAddress, bool> _legacyPeers = new();
    private readonly List<Task> _loops = [];
    private volatile bool _maintenance;
    private readonly VrrpRunnerExtras _extras;

    public VrrpInstanceRunner(VrrpInstanceDefinition def, IReadOnlyList<(TrackDefinition, ITrackedCondition)> tracked,
        TimeProvider time, ILogger logger, VrrpMetrics metrics, bool maintenance = false, VrrpRunnerExtras? extras = null)
    {
        _extras = extras ?? new VrrpRunnerExtras(null, null, null);
        _maintenance = maintenance;
        _def = def;
        _settings = def.Settings;
        _tracked = tracked;
        _time = time;
        _logger = logger;
        _metrics = metrics;
    }

    public string Name => _settings.Name;

    public void Start()
    {
        _nic = NetworkInterfaceInfo.Find(_def.Interface)
            ?? throw new VrrpStartupException($"Vrrp:Instances:{Name}:Interface: no interface named '{_def.Interface}'");
        _v6 = _settings.Family == AddressFamily.InterNetworkV6;
        // keepalived sends IPv6 adverts from the interface's link-local address unless told otherwise.
        _localAddress = _def.UnicastSource ?? (_v6 ? _nic.LinkLocalAddress : _nic.PrimaryAddress)
            ?? throw new VrrpStartupException(_v6
                ? $"Vrrp:Instances:{Name}:Interface: '{_def.Interface}' has no IPv6 link-local address to send adverts from (is IPv6 disabled on it?)"
                : $"Vrrp:Instances:{Name}:Interface: '{_def.Interface}' has no IPv4 address to send adverts from");
        ResolveDevices();
        _addresses = new NetlinkAddressEditor();
        _vipNic = _def.Vmac is { } vmac ? CreateVmac(vmac) : _nic;
        var advertNic = _def.Vmac is { TransmitOnBase: false } ? _vipNic : _nic;
        if (_v6)
        {
            _socket6 = VrrpRawSocket6.Open(advertNic, joinMulticast: !_settings.IsUnicast);
        }
        else
        {
            _socket = VrrpRawSocket.Open(advertNic, joinMulticast: !_settings.IsUnicast);
        }
        _garp = new GratuitousArpSender(_vipNic);
        _garpSenders[_vipNic.Name] = _garp;
        foreach (var (device, info) in _otherDevices)
        {
            _garpSenders.TryAdd(device, new GratuitousArpSender(info));
        }
        // Neighbour Advertisements for every IPv6 address the instance moves (VIPs, and excluded ones of any instance).
        foreach (var a in _def.Objects.Addresses.Concat(_def.Objects.Excluded).Where(a => a.Address.Address.AddressFamily == AddressFamily.InterNetworkV6))
        {
            var device = a.Device ?? _vipNic.Name;
            if (!_naSenders.ContainsKey(device))
            {
                var info = device == _vipNic.Name ? _vipNic : device == _nic.Name ? _nic : _otherDevices[device];
                _naSenders[device] = new NeighbourAdvertisementSender(info, ReferenceEquals(info, _vipNic) ? _def.Interface : device);
            }
        }
        // Leftovers from a crash (VIPs survive kill -9) must go before we take part in an election.
        RemoveAddresses();
        _machine = new VrrpStateMachine(_settings, _localAddress, this, _time, _extras.Group);
        _metrics.State.WithLabels(Name).Set(0);
        foreach (var state in Enum.GetValues<VrrpState>())
        {
            _metrics.Transitions.WithLabels(Name, VrrpMetrics.StateLabel(state));
        }
        _metrics.AdvertsSent.WithLabels(Name);
        _metrics.AdvertsReceived.WithLabels(Name);
        _metrics.Info.WithLabels(Name, _v6 ? "ipv6" : "ipv4", ((int)_settings.Version).ToString(System.Globalization.CultureInfo.InvariantCulture), _def.Interface).Set(1);
        _loops.Add(Task.Run(() => DrainAsync(_notifyQueue.Reader, _stop.Token), CancellationToken.None));
        // A dedicated thread blocked in recv(): on a busy node every hop through the thread pool adds scheduling
        // delay to the moment an advert (above all a priority-0 one) is seen.
        var receiveDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        new Thread(() =>
        {
            try
            {
                ReceiveLoop(_stop.Token);
            }
            finally
            {
                receiveDone.SetResult();
            }
        })
        { IsBackground = true, Name = "vrrp-rx " + Name }.Start();
        _loops.Add(receiveDone.Task);
        foreach (var (_, condition) in _tracked)
        {
            condition.Changed += OnTrackingChanged;
        }
        var (priority, faulted) = ComputePriority();
        _metrics.Priority.WithLabels(Name).Set(priority);
        Log.Started(_logger, Name, _def.Interface, _localAddress.ToString(), _settings.VirtualRouterId, (int)_settings.Version,
            _settings.IsUnicast ? "unicast to " + string.Join(",", _settings.UnicastPeers) : "multicast");
        _machine.Start(priority, faulted);
    }

    /// <summary>
    /// Planned handover before a stop (see <see cref="VrrpStateMachine.HandOverAsync"/>): completes once this node
    /// holds no VIP, a peer having taken over (or nobody within a master-down interval).
    /// </summary>
    public async Task HandOverAsync()
    {
        if (_machine is not { } machine)
        {
            return;
        }
        var started = _time.GetTimestamp();
        bool wasMaster = machine.State == VrrpState.Master;
        await machine.HandOverAsync().ConfigureAwait(false);
        if (wasMaster)
        {
            var snap = machine.Snapshot();
            Log.HandedOver(_logger, Name, snap.MasterAddress?.ToString() ?? "no peer", _time.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>
    /// Maintenance: priority 1 while on (a master hands the VIPs over without losing a packet, and this node stays
    /// backup unless no peer is left to serve); off restores the tracked priority, so preemption works as configured.
    /// </summary>
    public void SetMaintenance(bool on)
    {
        lock (_trackingGate)
        {
            if (_maintenance == on)
            {
                return;
            }
            _maintenance = on;
            var (priority, faulted) = ComputePriority();
            _metrics.Priority.WithLabels(Name).Set(priority);
            Log.Maintenance(_logger, Name, on ? "on" : "off", priority);
            if (on)
            {
                _machine?.Resign(priority);
            }
            else
            {
                _machine?.UpdateTracking(priority, faulted);
            }
        }
    }

    public async Task StopAsync()
    {
        foreach (var (_, condition) in _tracked)
        {
            condition.Changed -= OnTrackingChanged;
        }
        _machine?.Stop();
        _notifyQueue.Writer.TryComplete();
        // Let the stop hook finish, but not forever.
        if (_loops.Count > 0)
        {
            await Task.WhenAny(_loops[0], Task.Delay(TimeSpan.FromSeconds(10)));
        }
        await _stop.CancelAsync();
        _socket?.Dispose();
        _socket6?.Dispose();
        await Task.WhenAll(_loops).ContinueWith(_ => { }, TaskScheduler.Default);
        if (_addresses is not null && _nic is not null)
        {
            RemoveAddresses();
            RemoveVmac();
        }
        foreach (var sender in _garpSenders.Values)
        {
            sender.Dispose();
        }
        foreach (var sender in _naSenders.Values)
        {
            sender.Dispose();
        }
        _addresses?.Dispose();
        _machine?.Dispose();
    }

    public VrrpInstanceStatus Status()
    {
        var snap = _machine?.Snapshot();
        var (priority, faulted) = ComputePriority();
        return new VrrpInstanceStatus(
            Name,
            (snap?.State ?? VrrpState.Initialize).ToString().ToLowerInvariant(),
            _def.Interface,
            _settings.VirtualRouterId,
            (int)_settings.Version,
            _settings.Priority,
            snap?.Priority ?? priority,
            faulted,
            _maintenance,
            snap?.HoldingAddresses ?? false,
            _localAddress.ToString(),
            snap?.MasterAddress?.ToString(),
            _settings.VirtualAddresses.Select(v => v.ToString()).ToArray(),
            snap?.LastTransition,
            Interlocked.Read(ref _sent),
            Interlocked.Read(ref _received),
            _rejections.ToDictionary(kv => kv.Key.ToLabel(), kv => kv.Value),
            _tracked.Select(t => new VrrpTrackStatus(t.Condition.Name, t.Track.Weight, t.Condition.IsUp)
            {
                Reverse = t.Track.Reverse,
                Value = t.Condition is ITrackedValue v ? v.Value : null,
            }).ToArray(),
            VrrpObjectsStatus.From(_def.Objects, _holdingObjects, _def.Vmac?.Interface))
        {
            SyncGroup = _def.SyncGroup,
            Family = _settings.Family == AddressFamily.InterNetworkV6 ? "ipv6" : "ipv4",
        };
    }

    private readonly Dictionary<string, int> _deviceIndexes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NetworkInterfaceInfo> _otherDevices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GratuitousArpSender> _garpSenders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, NeighbourAdvertisementSender> _naSenders = new(StringComparer.Ordinal);

    /// <summary>Interfaces named by "dev" on addresses and routes must exist when the instance starts.</summary>
    private void ResolveDevices()
    {
        var objects = _def.Objects;
        var named = objects.Addresses.Select(a => (a.Device, "VirtualAddresses")).Concat(objects.Excluded.Select(a => (a.Device, "ExcludedAddresses")))
            .Concat(objects.Routes.SelectMany(r => r.NextHops.Select(h => h.Device).Prepend(r.Device)).Select(d => (d, "VirtualRoutes")));
        foreach (var (device, key) in named)
        {
            if (device is null || _deviceIndexes.ContainsKey(device))
            {
                continue;
            }
            var info = NetworkInterfaceInfo.Find(device)
                ?? throw new VrrpStartupException($"Vrrp:Instances:{Name}:{key}: no interface named '{device}'");
            _deviceIndexes[device] = info.Index;
            if (device != _def.Interface)
            {
                _otherDevices[device] = info;
            }
        }
    }

    // The interface the VIPs without "dev" go on: the instance's own, or its vmac.
    private NetworkInterfaceInfo? _vipNic;
    private readonly Dictionary<string, string> _savedSysctls = new(StringComparer.Ordinal);

    /// <summary>
    /// keepalived's use_vmac: the macvlan with the virtual router MAC carries the VIPs (and the adverts unless
    /// vmac_xmit_base). As keepalived does, both the vmac and its base answer ARP only for their own addresses
    /// (arp_ignore=1, arp_filter=1), so the VIP is only ever answered with the virtual MAC; the base's values are
    /// restored at stop. An IPv6 vmac gets no link-local address of its own making; it carries the address adverts
    /// are sent from (the base's link-local unless a source is configured), deprecated and without DAD, exactly as
    /// keepalived 2.2.7 leaves it, so adverts leave it with the virtual MAC and a source address the peer knows.
    /// </summary>
    private NetworkInterfaceInfo CreateVmac(VmacDefinition vmac)
    {
        VmacStep(_addresses!.CreateMacvlan(vmac.Interface, _nic!.Index, vmac.Mac));
        int index = NetworkInterfaceInfo.IndexOf(vmac.Interface)
            ?? throw new VrrpStartupException($"Vrrp:Instances:{Name}:UseVmac: {vmac.Interface} was created but cannot be found");
        if (_v6)
        {
            VmacStep(_addresses.DisableIpv6AddressGeneration(index, vmac.Interface));
        }
        VmacStep(_addresses.SetUp(index, vmac.Interface));
        if (_v6 && !vmac.TransmitOnBase)
        {
            var source = new AddressSpec(new VirtualAddress(_localAddress!, 64), vmac.Interface, null, 0, null, false, false) { PreferredLifetime = 0 };
            VmacStep(_addresses.Add(source, index));
        }
        var sysctls = _v6
            ? new[] { (vmac.Interface, "arp_ignore", "1") }
            : [
                (vmac.Interface, "arp_ignore", "1"), (vmac.Interface, "arp_filter", "1"), (vmac.Interface, "rp_filter", "0"),
                (vmac.Interface, "accept_local", "1"), (_def.Interface, "arp_ignore", "1"), (_def.Interface, "arp_filter", "1"),
            ];
        foreach (var (device, key, value) in sysctls)
        {
            var path = $"/proc/sys/net/ipv4/conf/{device}/{key}";
            try
            {
                if (device == _def.Interface) _savedSysctls.TryAdd(path, File.ReadAllText(path).Trim());
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.AddressCommandFailed(_logger, Name, $"set {path} = {value}: {e.Message}");
            }
        }
        Log.VmacCreated(_logger, Name, vmac.Interface, Convert.ToHexString(vmac.Mac), vmac.TransmitOnBase ? _def.Interface : vmac.Interface);
        return new NetworkInterfaceInfo(vmac.Interface, index, vmac.Mac, null, true) { LinkLocalAddress = _v6 ? _localAddress : null };
    }

    private void VmacStep(CommandResult r)
    {
        if (!r.Success)
        {
            throw new VrrpStartupException($"Vrrp:Instances:{Name}:UseVmac: {r.Description}");
        }
    }

    private void RemoveVmac()
    {
        if (_def.Vmac is not { } vmac || _vipNic is null || ReferenceEquals(_vipNic, _nic))
        {
            return;
        }
        var r = _addresses!.DeleteLink(_vipNic.Index, vmac.Interface);
        if (!r.Success) Log.AddressCommandFailed(_logger, Name, r.Description);
        foreach (var (path, value) in _savedSysctls)
        {
            try
            {
                File.WriteAllText(path, value);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Log.AddressCommandFailed(_logger, Name, $"restore {path} = {value}: {e.Message}");
            }
        }
    }

    private (byte Priority, bool Faulted) ComputePriority()
    {
        var (priority, faulted) = EffectivePriority.Combine(_settings.Priority, _tracked.Select(t => Contribution(t.Track, t.Condition)));
        return (_maintenance ? (byte)1 : priority, faulted);
    }

    private static (int Delta, bool Fault) Contribution(TrackDefinition track, ITrackedCondition condition) =>
        track.Kind == TrackKind.File && condition is ITrackedValue file
            ? TrackContribution.OfValue(track.Weight, track.Reverse, file.Value)
            : TrackContribution.OfState(track.Weight, track.Reverse, condition.IsUp);

    private void OnTrackingChanged()
    {
        lock (_trackingGate)
        {
            var (priority, faulted) = ComputePriority();
            _metrics.Priority.WithLabels(Name).Set(priority);
            Log.Tracking(_logger, Name, priority, faulted, string.Join(", ", _tracked.Select(t =>
                $"{t.Condition.Name}={(t.Condition is ITrackedValue v ? v.Value.ToString(System.Globalization.CultureInfo.InvariantCulture) : t.Condition.IsUp ? "up" : "down")}")));
            _machine?.UpdateTracking(priority, faulted);
        }
    }

    private void ReceiveLoop(CancellationToken ct)
    {
        if (_v6)
        {
            ReceiveLoop6(ct);
            return;
        }
        var buffer = new byte[2048];
        while (!ct.IsCancellationRequested)
        {
            int n;
            try
            {
                n = _socket!.Receive(buffer, TimeSpan.FromMilliseconds(250));
            }
            catch (Exception e) when (e is ObjectDisposedException || ct.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                continue;   // timeout: look at the token again
            }
            try
            {
                HandleDatagram(buffer.AsSpan(0, n));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // Bad input never takes the node down.
                Log.ActionFailed(_logger, e, Name);
            }
        }
    }

    private void ReceiveLoop6(CancellationToken ct)
    {
        var buffer = new byte[2048];
        while (!ct.IsCancellationRequested)
        {
            int n;
            IpEnvelope envelope;
            try
            {
                n = _socket6!.Receive(buffer, TimeSpan.FromMilliseconds(250), out envelope);
            }
            catch (Exception e) when (e is ObjectDisposedException || ct.IsCancellationRequested)
            {
                return;
            }
            if (n < 0)
            {
                continue;   // timeout or interrupted: look at the token again
            }
            try
            {
                var reason = VrrpPacketCodec.TryDecodeIpv6(buffer.AsSpan(0, n), envelope.Source, envelope.Destination, envelope.Ttl, out var received);
                Handle(reason, received);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                Log.ActionFailed(_logger, e, Name);
            }
        }
    }

    private void HandleDatagram(ReadOnlySpan<byte> datagram)
    {
        var reason = VrrpPacketCodec.TryDecode(datagram, out var received);
        Handle(reason, received);
    }

    private void Handle(VrrpRejectReason reason, ReceivedAdvertisement? received)
    {
        if (reason == VrrpRejectReason.None)
        {
            reason = VrrpAdvertisementValidator.Check(received!, _settings);
        }
        if (reason != VrrpRejectReason.None)
        {
            if (reason == VrrpRejectReason.UnknownVrid)
            {
                // Other routers on the link are not our concern; count quietly.
                _metrics.Rejected.WithLabels(Name, reason.ToLabel()).Inc();
                _rejections.AddOrUpdate(reason, 1, (_, c) => c + 1);
                return;
            }
            if (_rejections.AddOrUpdate(reason, 1, (_, c) => c + 1) == 1)
            {
                Log.Rejected(_logger, Name, received?.Ip.Source.ToString() ?? "?", reason.ToLabel(), VrrpAdvertisementValidator.Describe(reason, received, _settings));
            }
            _metrics.Rejected.WithLabels(Name, reason.ToLabel()).Inc();
            return;
        }
        if (received!.LegacyUnicastChecksum && _legacyPeers.TryAdd(received.Ip.Source, true))
        {
            Log.LegacyChecksum(_logger, Name, received.Ip.Source.ToString());
        }
        Interlocked.Increment(ref _received);
        _metrics.AdvertsReceived.WithLabels(Name).Inc();
        _machine!.OnAdvertisement(received.Advertisement, received.Ip.Source);
        if (received.Advertisement.Priority == 0)
        {
            Log.PeerResigned(_logger, Name, received.Ip.Source.ToString());
        }
    }

    private async Task DrainAsync(ChannelReader<Func<CancellationToken, Task>> reader, CancellationToken ct)
    {
        try
        {
            await foreach (var work in reader.ReadAllAsync(ct))
            {
                try
                {
                    await work(ct);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.ActionFailed(_logger, e, Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }
        _socket?.Dispose();
        _socket6?.Dispose();
        foreach (var sender in _garpSenders.Values)
        {
            sender.Dispose();
        }
        _addresses?.Dispose();
        _machine?.Dispose();
        _stop.Dispose();
    }
}

/// <summary>What an instance shares with others: its sync group, the script user and the notify FIFO.</summary>
internal sealed record VrrpRunnerExtras(VrrpSyncGroup? Group, ScriptIdentity? Scripts, NotifyFifoWriter? Fifo);
