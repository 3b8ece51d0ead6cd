namespace SaltHaGateway.Vrrp.Core;

/// <summary>
/// keepalived's vrrp_sync_group: instances that change state together (a public and a private VIP on two
/// interfaces). Semantics of keepalived 2.2.7 (<c>vrrp_sync.c</c>, <c>vrrp_track.c</c>):
/// <list type="bullet">
/// <item>a member's own fault (tracking) puts every member in Fault; the group leaves Fault only when no member has
/// one, and then every member starts over as Backup;</item>
/// <item>a member whose down timer expires only becomes master once every other member wants to as well (its own
/// timer expired too); the last one to get there takes the others with it;</item>
/// <item>a master member that yields to a higher-priority advert takes the other masters to Backup with it (they
/// release their addresses without a priority-0 advert).</item>
/// </list>
/// The members share one lock (<see cref="Gate"/>), so a change in one member and its effect on the others is one
/// atomic step and two receive threads can never deadlock on each other's machine.
/// </summary>
public sealed class VrrpSyncGroup(string name)
{
    private readonly List<VrrpStateMachine> _members = [];
    private VrrpState _state = VrrpState.Initialize;

    public string Name { get; } = name;

    /// <summary>The lock every member machine uses.</summary>
    internal object Gate { get; } = new();

    /// <summary>Called under the members' lock when the group's state changes; implementations must return quickly.</summary>
    public Action<VrrpState>? StateChanged { get; set; }

    public VrrpState State { get { lock (Gate) { return _state; } } }

    public IReadOnlyList<string> Members { get { lock (Gate) { return _members.Select(m => m.Name).ToArray(); } } }

    internal void Add(VrrpStateMachine member)
    {
        lock (Gate)
        {
            _members.Add(member);
        }
    }

    internal bool AnyFaulted() => _members.Any(m => m.IsActive && m.OwnFaulted);

    /// <summary>After a member's own fault changed: every member is in Fault while any member has one.</summary>
    internal void ReconcileFaults(VrrpStateMachine source)
    {
        bool any = AnyFaulted();
        foreach (var m in _members)
        {
            if (m != source && m.IsActive)
            {
                m.ApplyGroupFault(any);
            }
        }
    }

    /// <summary>keepalived's vrrp_sync_can_goto_master: the group is master already, or every other member wants to be.</summary>
    internal bool CanGoMaster(VrrpStateMachine member) =>
        _state == VrrpState.Master || _members.All(m => m == member || (m.IsActive && m.WantsMaster));

    /// <summary>vrrp_sync_master: the others follow a member that became master.</summary>
    internal void OnMemberBecameMaster(VrrpStateMachine source)
    {
        foreach (var m in _members)
        {
            if (m != source && m.IsActive)
            {
                m.SyncToMaster();
            }
        }
    }

    /// <summary>vrrp_sync_backup: the other masters follow a member that yielded to a higher priority.</summary>
    internal void OnMemberYielded(VrrpStateMachine source)
    {
        foreach (var m in _members)
        {
            if (m != source && m.IsActive)
            {
                m.SyncToBackup();
            }
        }
    }

    /// <summary>A master member heard a lower-priority master: the other members re-send their gratuitous ARPs.</summary>
    internal void OnMemberHeardLowerPriority(VrrpStateMachine source)
    {
        foreach (var m in _members)
        {
            if (m != source && m.IsActive && m.CurrentState == VrrpState.Master)
            {
                m.SendLowerPriorityGarp();
            }
        }
    }

    private bool _dirty;

    /// <summary>Called by a member after each of its transitions; the group's state is worked out in <see cref="Settle"/>.</summary>
    internal void OnMemberStateChanged() => _dirty = true;

    /// <summary>
    /// Called when a member's outermost operation ends, so the group's state (and its notifies) follows all the
    /// members' transitions of that step, in keepalived's order: the instances' notifies first, then the group's.
    /// </summary>
    internal void Settle()
    {
        if (!_dirty)
        {
            return;
        }
        _dirty = false;
        var states = _members.Select(m => m.CurrentState).ToArray();
        VrrpState next = _state;
        if (states.Contains(VrrpState.Fault)) next = VrrpState.Fault;
        else if (states.All(s => s == VrrpState.Master)) next = VrrpState.Master;
        else if (states.All(s => s == VrrpState.Backup)) next = VrrpState.Backup;
        else if (states.All(s => s == VrrpState.Initialize)) next = VrrpState.Initialize;
        else if (_state == VrrpState.Fault && !states.Contains(VrrpState.Master)) next = VrrpState.Backup;
        if (next != _state)
        {
            _state = next;
            StateChanged?.Invoke(next);
        }
    }
}
