using System.Net;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// The RFC 5798 §6.4 state machine (v2 is the same minus interval learning) with keepalived's additions:
/// a Fault state driven by tracking, an immediate re-advert plus GARP when a master hears a lower-priority
/// master (split-brain healing), preempt delay, and a listen-only period after start. No I/O: time comes from
/// <see cref="TimeProvider"/>, effects go to <see cref="IVrrpActions"/>.
/// </summary>
/// <remarks>
/// Where it differs from keepalived, it does so to lose no client packet when the VIP moves between two nodes that
/// can both serve (make-before-break): a new master adds the VIPs and sends gratuitous ARP <em>before</em> its
/// first advert, so the old master, which releases on hearing that advert, never drops the VIPs before clients are
/// told where they went; the old master then keeps them <see cref="VrrpInstanceSettings.ReleaseDelay"/> longer for
/// packets already on their way; and a planned handover (<see cref="Resign"/>, <see cref="HandOverAsync"/>) resigns
/// with priority 0 but keeps the VIPs until a peer has announced itself master. A Fault still releases at once:
/// a node that cannot serve has nothing to offer the packets.
/// </remarks>
public sealed class VrrpStateMachine : IDisposable
{
    private readonly object _gate;
    private readonly VrrpSyncGroup? _group;
    // Tracking's own verdict; with a sync group the machine is also in Fault while another member has one.
    private bool _ownFaulted;
    // keepalived's wantstate MASTER: the down timer expired (a sync group may still hold the instance in Backup).
    private bool _wantMaster;
    private readonly VrrpInstanceSettings _settings;
    private readonly uint _localAddress;
    private readonly IVrrpActions _actions;
    private readonly TimeProvider _time;
    private ITimer? _timer;
    private DateTimeOffset _timerDue;
    private int _timerGeneration;
    private ITimer? _garpTimer;
    private int _garpGeneration;
    private VrrpState _state = VrrpState.Initialize;
    private byte _priority;
    private bool _faulted;
    private bool _started;
    private bool _stopped;
    private DateTimeOffset _listenUntil;
    private DateTimeOffset _preemptAllowedAt;
    private IPAddress? _masterAddress;
    private byte _masterPriority;
    private ushort _masterInterval;
    private DateTimeOffset? _lastTransition;
    // The VIPs are on our interface: from EnterMaster until released, which after losing mastership is later.
    private bool _holdingAddresses;
    private ITimer? _releaseTimer;
    private int _releaseGeneration;
    // Planned handover: this node resigned and leaves (graceful stop); it never becomes master again.
    private bool _leaving;
    private TaskCompletionSource? _handedOver;

    public VrrpStateMachine(VrrpInstanceSettings settings, IPAddress localAddress, IVrrpActions actions, TimeProvider time,
        VrrpSyncGroup? group = null)
    {
        _group = group;
        _gate = group?.Gate ?? new object();
        group?.Add(this);
        _settings = settings;
        _localAddress = ToUInt(localAddress);
        _actions = actions;
        _time = time;
        _priority = settings.Priority;
        _masterInterval = settings.IntervalCentiseconds;
    }

    public VrrpState State { get { lock (_gate) { return _state; } } }

    public string Name => _settings.Name;

    // For the sync group, which calls these under the shared lock.
    internal bool IsActive => _started && !_stopped;
    internal bool OwnFaulted => _ownFaulted;
    internal bool WantsMaster => _wantMaster && !_faulted;
    internal VrrpState CurrentState => _state;

    public VrrpSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new VrrpSnapshot(_state, _priority, _faulted, _masterAddress, _masterPriority, _masterInterval, _lastTransition, _holdingAddresses);
        }
    }

    /// <summary>Leaves Initialize: owners (255) become master at once unless a listen period is set.</summary>
    public void Start(byte priority, bool faulted)
    {
        lock (_gate)
        {
            if (_started)
            {
                return;
            }
            _started = true;
            _priority = priority;
            _ownFaulted = faulted;
            _faulted = faulted || (_group?.AnyFaulted() ?? false);
            var now = _time.GetUtcNow();
            _listenUntil = now + _settings.StartupListen;
            _preemptAllowedAt = now + _settings.PreemptDelay;
            if (_faulted)
            {
                SetState(VrrpState.Fault);
            }
            else if (_priority == 255 && _settings.StartupListen <= TimeSpan.Zero)
            {
                TryEnterMaster();
            }
            else
            {
                EnterBackup(Max(MasterDownInterval(), _settings.StartupListen));
            }
            _group?.ReconcileFaults(this);
            _group?.Settle();
        }
    }

    /// <summary>
    /// Final stop: a master resigns with priority 0 so the peer takes over after Skew_Time, and any VIPs still held
    /// are removed. Call <see cref="HandOverAsync"/> first for a handover that loses no packet.
    /// </summary>
    public void Stop()
    {
        lock (_gate)
        {
            if (_stopped)
            {
                return;
            }
            _stopped = true;
            CancelTimers();
            if (_state == VrrpState.Master)
            {
                _actions.SendAdvertisement(0);
            }
            ReleaseNow();
            if (_state != VrrpState.Initialize)
            {
                SetState(VrrpState.Initialize);
            }
            _group?.Settle();
        }
    }

    /// <summary>
    /// Planned handover before a stop: a master advertises priority 0 but keeps the VIPs, and releases them
    /// <see cref="VrrpInstanceSettings.ReleaseDelay"/> after the first advert of the peer that took over (whose
    /// gratuitous ARP is out by then); with no taker within a master-down interval it releases anyway. The node
    /// never becomes master again. Completes once the VIPs are released (at once when this node holds none).
    /// </summary>
    public Task HandOverAsync()
    {
        lock (_gate)
        {
            _leaving = true;
            _handedOver ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_started && !_stopped && _state == VrrpState.Master)
            {
                ResignMastership();
            }
            else if (!_holdingAddresses)
            {
                _handedOver.TrySetResult();
            }
            _group?.Settle();
            return _handedOver.Task;
        }
    }

    /// <summary>
    /// Planned handover that stays in the election (maintenance): the new, lower <paramref name="priority"/> is in
    /// force at once and a master resigns as in <see cref="HandOverAsync"/>. Should no peer take over, this node
    /// becomes master again after a master-down interval and keeps serving.
    /// </summary>
    public void Resign(byte priority)
    {
        lock (_gate)
        {
            _priority = priority;
            if (_started && !_stopped && !_faulted && _state == VrrpState.Master)
            {
                ResignMastership();
            }
            _group?.Settle();
        }
    }

    private void ResignMastership()
    {
        _actions.SendAdvertisement(0);
        CancelGarp();
        _masterAddress = null;
        // As a backup that still holds the VIPs: the next master's first advert starts the release; silence means
        // nobody took over (see OnDownTimer).
        EnterBackup(MasterDownInterval());
    }

    /// <summary>New effective priority from tracking; <paramref name="faulted"/> means a weight-0 condition is down.</summary>
    public void UpdateTracking(byte priority, bool faulted)
    {
        lock (_gate)
        {
            _ownFaulted = faulted;
            if (_group is null || !IsActive)
            {
                ApplyTracking(priority, faulted);
                return;
            }
            ApplyTracking(priority, faulted || _group.AnyFaulted());
            _group.ReconcileFaults(this);
            _group.Settle();
        }
    }

    /// <summary>A sync group's verdict: in Fault while any member has its own fault.</summary>
    internal void ApplyGroupFault(bool groupFaulted) => ApplyTracking(_priority, _ownFaulted || groupFaulted);

    private void ApplyTracking(byte priority, bool faulted)
    {
        if (!_started || _stopped)
        {
            _priority = priority;
            _faulted = faulted;
            return;
        }
        byte oldPriority = _priority;
        _priority = priority;
        if (faulted && !_faulted)
        {
            _faulted = true;
            CancelTimers();
            if (_state == VrrpState.Master)
            {
                _actions.SendAdvertisement(0);
            }
            ReleaseNow();
            SetState(VrrpState.Fault);
            return;
        }
        if (!faulted && _faulted)
        {
            _faulted = false;
            _wantMaster = false;
            if (_priority == 255 && !_leaving)
            {
                TryEnterMaster();
            }
            else
            {
                EnterBackup(MasterDownInterval());
            }
            return;
        }
        if (oldPriority == priority || _faulted)
        {
            return;
        }
        if (_state == VrrpState.Master)
        {
            // Tell the backup now rather than at the next tick, so a lowered priority hands over sooner.
            _actions.SendAdvertisement(_priority);
        }
        else if (_state == VrrpState.Backup)
        {
            var shift = SkewTime(_priority) - SkewTime(oldPriority);
            var remaining = _timerDue - _time.GetUtcNow() + shift;
            ScheduleTimer(remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining, OnDownTimer);
        }
    }

    /// <summary>Feeds an advertisement that already passed <see cref="VrrpAdvertisementValidator"/>.</summary>
    public void OnAdvertisement(VrrpAdvertisement advert, IPAddress source)
    {
        lock (_gate)
        {
            if (!_started || _stopped)
            {
                return;
            }
            if (_state == VrrpState.Backup)
            {
                OnAdvertisementAsBackup(advert, source);
            }
            else if (_state == VrrpState.Master)
            {
                OnAdvertisementAsMaster(advert, source);
            }
            _group?.Settle();
        }
    }

    private void OnAdvertisementAsBackup(VrrpAdvertisement advert, IPAddress source)
    {
        if (advert.Priority > 0 && _holdingAddresses)
        {
            // A master other than us: its gratuitous ARP went out before this advert.
            _masterAddress = source;
            _masterPriority = advert.Priority;
            ScheduleRelease();
        }
        if (advert.Priority == 0)
        {
            _masterAddress = null;
            ScheduleTimer(SkewTime(_priority), OnDownTimer);
            return;
        }
        var now = _time.GetUtcNow();
        bool holdOff = now < _listenUntil || now < _preemptAllowedAt;
        if (!_settings.Preempt || holdOff || advert.Priority >= _priority)
        {
            // A live master: whatever a sync group was holding this instance back for, it no longer wants MASTER.
            _wantMaster = false;
            _masterAddress = source;
            _masterPriority = advert.Priority;
            if (_settings.Version == VrrpVersion.V3)
            {
                _masterInterval = advert.IntervalCentiseconds;
            }
            ScheduleTimer(MasterDownInterval(), OnDownTimer);
        }
        // Lower priority with preemption: keep the timer running so this node takes over when it expires.
    }

    private void OnAdvertisementAsMaster(VrrpAdvertisement advert, IPAddress source)
    {
        if (advert.Priority == 0)
        {
            _actions.SendAdvertisement(_priority);
            ScheduleTimer(_settings.AdvertisementInterval, OnAdvertTimer);
            return;
        }
        bool otherWins = advert.Priority > _priority
            || (advert.Priority == _priority && ToUInt(source) > _localAddress);
        if (otherWins)
        {
            if (_settings.HigherPrioritySendAdvert)
            {
                _actions.SendAdvertisement(_priority);
            }
            CancelGarp();
            ScheduleRelease();
            _masterAddress = source;
            _masterPriority = advert.Priority;
            if (_settings.Version == VrrpVersion.V3)
            {
                _masterInterval = advert.IntervalCentiseconds;
            }
            _wantMaster = false;
            EnterBackup(MasterDownInterval());
            _group?.OnMemberYielded(this);
            return;
        }
        // Another master with lower priority: a healed split brain. Re-assert now so switches and ARP caches
        // that followed the other node come back, instead of waiting for the next tick (unless
        // lower_prio_no_advert asks for the RFC's silence; the gratuitous ARPs still go out).
        if (!_settings.LowerPriorityNoAdvert)
        {
            _actions.SendAdvertisement(_priority);
            ScheduleTimer(_settings.AdvertisementInterval, OnAdvertTimer);
        }
        SendLowerPriorityGarp();
        // keepalived: the other members of a sync group re-announce their addresses too.
        _group?.OnMemberHeardLowerPriority(this);
    }

    internal void SendLowerPriorityGarp()
    {
        if (_settings.Garp.LowerPriorityRepeat > 0)
        {
            _actions.SendGratuitousArp(_settings.Garp.LowerPriorityRepeat);
        }
    }

    private void OnDownTimer()
    {
        if (_state != VrrpState.Backup)
        {
            return;
        }
        if (_leaving)
        {
            // Nobody took over from a node that is going away: it cannot keep the VIPs.
            ReleaseNow();
            return;
        }
        var now = _time.GetUtcNow();
        if (now < _listenUntil)
        {
            ScheduleTimer(_listenUntil - now, OnDownTimer);
            return;
        }
        TryEnterMaster();
    }

    /// <summary>
    /// Master if no sync group holds the instance back (keepalived's vrrp_state_goto_master); otherwise it stays
    /// Backup wanting MASTER and looks again after a master-down interval, unless the last member to get there
    /// takes it along first.
    /// </summary>
    private void TryEnterMaster()
    {
        _wantMaster = true;
        if (_group is not null && !_group.CanGoMaster(this))
        {
            EnterBackup(_priority == 255 ? _settings.AdvertisementInterval : MasterDownInterval());
            return;
        }
        EnterMaster();
        _group?.OnMemberBecameMaster(this);
    }

    /// <summary>vrrp_sync_master: another member became master and this one follows.</summary>
    internal void SyncToMaster()
    {
        if (_state == VrrpState.Master || _faulted || _leaving)
        {
            return;
        }
        _wantMaster = true;
        EnterMaster();
    }

    /// <summary>vrrp_sync_backup: another member yielded to a higher priority; a master follows (no priority-0 advert;
    /// the VIPs go after the release delay, as when this instance itself yields).</summary>
    internal void SyncToBackup()
    {
        if (_state != VrrpState.Master)
        {
            return;
        }
        _wantMaster = false;
        CancelGarp();
        ScheduleRelease();
        _masterAddress = null;
        EnterBackup(MasterDownInterval());
    }

    private void OnAdvertTimer()
    {
        if (_state != VrrpState.Master)
        {
            return;
        }
        _actions.SendAdvertisement(_priority);
        ScheduleTimer(_settings.AdvertisementInterval, OnAdvertTimer);
    }

    private void EnterMaster()
    {
        if (_leaving)
        {
            return;
        }
        _masterInterval = _settings.IntervalCentiseconds;
        _masterAddress = null;
        _masterPriority = _priority;
        // Addresses and gratuitous ARP before the advert: the advert is what makes the old master let go, and by
        // then clients must already have been told where the VIPs are.
        CancelRelease();
        if (!_holdingAddresses)
        {
            _actions.AddVirtualAddresses();
            _holdingAddresses = true;
        }
        if (_settings.Garp.MasterRepeat > 0)
        {
            _actions.SendGratuitousArp(_settings.Garp.MasterRepeat);
        }
        _actions.SendAdvertisement(_priority);
        ScheduleTimer(_settings.AdvertisementInterval, OnAdvertTimer);
        ScheduleGarpFollowUp(first: true);
        SetState(VrrpState.Master);
    }

    private void EnterBackup(TimeSpan downAfter)
    {
        ScheduleTimer(downAfter, OnDownTimer);
        if (_state != VrrpState.Backup)
        {
            SetState(VrrpState.Backup);
        }
    }

    private void ScheduleGarpFollowUp(bool first)
    {
        var garp = _settings.Garp;
        var due = first && garp.MasterDelay > TimeSpan.Zero ? garp.MasterDelay : garp.MasterRefresh;
        if (due <= TimeSpan.Zero)
        {
            return;
        }
        int count = first && garp.MasterDelay > TimeSpan.Zero ? garp.MasterRepeat : garp.MasterRefreshRepeat;
        int generation = ++_garpGeneration;
        _garpTimer?.Dispose();
        _garpTimer = _time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (generation != _garpGeneration || _state != VrrpState.Master || _stopped)
                {
                    return;
                }
                if (count > 0)
                {
                    _actions.SendGratuitousArp(count);
                }
                ScheduleGarpFollowUp(first: false);
            }
        }, null, due, Timeout.InfiniteTimeSpan);
    }

    private void ScheduleRelease()
    {
        if (!_holdingAddresses || _releaseTimer is not null)
        {
            return;
        }
        if (_settings.ReleaseDelay <= TimeSpan.Zero)
        {
            ReleaseNow();
            return;
        }
        int generation = ++_releaseGeneration;
        _releaseTimer = _time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (generation == _releaseGeneration && !_stopped && _state != VrrpState.Master)
                {
                    ReleaseNow();
                }
            }
        }, null, _settings.ReleaseDelay, Timeout.InfiniteTimeSpan);
    }

    private void ReleaseNow()
    {
        CancelRelease();
        if (_holdingAddresses)
        {
            _holdingAddresses = false;
            _actions.RemoveVirtualAddresses();
        }
        if (_leaving)
        {
            _handedOver?.TrySetResult();
        }
    }

    private void CancelRelease()
    {
        _releaseGeneration++;
        _releaseTimer?.Dispose();
        _releaseTimer = null;
    }

    private void ScheduleTimer(TimeSpan due, Action onFire)
    {
        int generation = ++_timerGeneration;
        _timer?.Dispose();
        _timerDue = _time.GetUtcNow() + due;
        _timer = _time.CreateTimer(_ =>
        {
            lock (_gate)
            {
                if (generation == _timerGeneration && !_stopped)
                {
                    onFire();
                    _group?.Settle();
                }
            }
        }, null, due, Timeout.InfiniteTimeSpan);
    }

    private void CancelTimers()
    {
        _timerGeneration++;
        _timer?.Dispose();
        _timer = null;
        CancelGarp();
        CancelRelease();
    }

    private void CancelGarp()
    {
        _garpGeneration++;
        _garpTimer?.Dispose();
        _garpTimer = null;
    }

    private void SetState(VrrpState to)
    {
        var from = _state;
        _state = to;
        _lastTransition = _time.GetUtcNow();
        _actions.OnStateChanged(from, to, _priority);
        _group?.OnMemberStateChanged();
    }

    private TimeSpan SkewTime(byte priority) => VrrpTimers.SkewTime(_settings.Version, priority, _masterInterval);

    private TimeSpan MasterDownInterval() =>
        VrrpTimers.MasterDownInterval(_settings.Version, _priority, _masterInterval, _settings.DownTimerAdverts);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        return address.TryWriteBytes(bytes, out int n) && n == 4 ? System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) : 0;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CancelTimers();
        }
    }
}
