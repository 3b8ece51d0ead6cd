using System.Net;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Core;

/// <summary>keepalived 2.2.7's vrrp_sync_group semantics (vrrp_sync.c), two members on two interfaces.</summary>
public sealed class VrrpSyncGroupTests
{
    private static readonly IPAddress Local = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress PeerHigh = IPAddress.Parse("10.0.0.2");
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingActions _a1 = new();
    private readonly RecordingActions _a2 = new();
    private readonly List<VrrpState> _groupStates = [];
    private readonly VrrpSyncGroup _group = new("G1");
    private readonly VrrpStateMachine _m1;
    private readonly VrrpStateMachine _m2;

    public VrrpSyncGroupTests()
    {
        // The group's transitions go into VI_1's log too, so the order against the members' is visible.
        _group.StateChanged = state =>
        {
            _groupStates.Add(state);
            _a1.Log.Add("group " + state);
        };
        _m1 = new VrrpStateMachine(Settings("VI_1", 1, 100), Local, _a1, _time, _group);
        _m2 = new VrrpStateMachine(Settings("VI_2", 2, 100), Local, _a2, _time, _group);
    }

    private static VrrpInstanceSettings Settings(string name, byte vrid, byte priority) => new()
    {
        Name = name,
        Version = VrrpVersion.V3,
        VirtualRouterId = vrid,
        Priority = priority,
        IntervalCentiseconds = 100,
        ReleaseDelay = TimeSpan.Zero,
        VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.0.0." + (100 + vrid)), 32)],
        Garp = new GarpSettings { MasterRepeat = 1, MasterDelay = TimeSpan.Zero, LowerPriorityRepeat = 2 },
    };

    private static VrrpAdvertisement Advert(byte vrid, byte priority) => new(VrrpVersion.V3, vrid, priority, 100, [IPAddress.Parse("10.0.0." + (100 + vrid))]);

    private void StartBothAsMaster()
    {
        _m1.Start(100, false);
        _m2.Start(100, false);
        _time.Advance(TimeSpan.FromMilliseconds(3610));
        Assert.Equal(VrrpState.Master, _m1.State);
        Assert.Equal(VrrpState.Master, _m2.State);
        _a1.Clear();
        _a2.Clear();
        _groupStates.Clear();
    }

    [Fact]
    public void A_member_becomes_master_only_when_every_member_wants_to()
    {
        _m1.Start(100, false);
        _m2.Start(100, false);
        // VI_2 keeps hearing a master; VI_1's down timer expires but the group holds it in Backup.
        for (int i = 0; i < 5; i++)
        {
            _m2.OnAdvertisement(Advert(2, 150), PeerHigh);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(VrrpState.Backup, _m1.State);
        Assert.DoesNotContain("add", _a1.Log);

        // The peer's VI_2 falls silent: when VI_2's timer expires, both become master together.
        _time.Advance(TimeSpan.FromMilliseconds(2610));
        Assert.Equal(VrrpState.Master, _m1.State);
        Assert.Equal(VrrpState.Master, _m2.State);
        Assert.Equal([VrrpState.Backup, VrrpState.Master], _groupStates);
        Assert.True(_a1.VipsPresent && _a2.VipsPresent);
    }

    [Fact]
    public void One_member_in_fault_takes_the_group_to_fault_and_back_to_backup()
    {
        StartBothAsMaster();
        _m2.UpdateTracking(100, faulted: true);   // e.g. VI_2's interface lost its link
        Assert.Equal(VrrpState.Fault, _m1.State);
        Assert.Equal(VrrpState.Fault, _m2.State);
        // Both resign with priority 0 (keepalived's leave_master towards FAULT) and drop their VIPs.
        // The group's Fault comes after every member's, as keepalived's notifies do.
        Assert.Equal(["advert 0", "remove", "Master->Fault", "group Fault"], _a1.Log);
        Assert.Equal(["advert 0", "remove", "Master->Fault"], _a2.Log);
        Assert.Equal([VrrpState.Fault], _groupStates);

        // VI_1's own tracking changes nothing while VI_2 is still faulted.
        _m1.UpdateTracking(90, faulted: false);
        Assert.Equal(VrrpState.Fault, _m1.State);

        _m2.UpdateTracking(100, faulted: false);
        Assert.Equal(VrrpState.Backup, _m1.State);
        Assert.Equal(VrrpState.Backup, _m2.State);
        Assert.Equal([VrrpState.Fault, VrrpState.Backup], _groupStates);
    }

    [Fact]
    public void A_member_starting_faulted_holds_the_other_in_fault()
    {
        _m1.Start(100, faulted: false);
        _m2.Start(100, faulted: true);
        Assert.Equal(VrrpState.Fault, _m1.State);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Fault, _m1.State);
        Assert.DoesNotContain("add", _a1.Log);
    }

    [Fact]
    public void A_master_yielding_to_higher_priority_takes_the_others_to_backup()
    {
        StartBothAsMaster();
        _m1.OnAdvertisement(Advert(1, 200), PeerHigh);
        Assert.Equal(VrrpState.Backup, _m1.State);
        Assert.Equal(VrrpState.Backup, _m2.State);
        // VI_2 follows without a priority-0 advert (vrrp_state_leave_master with advF false).
        Assert.Equal(["remove", "Master->Backup"], _a2.Log);
        Assert.Equal([VrrpState.Backup], _groupStates);

        // VI_2 hears nothing, but the group stays Backup while VI_1 hears its master.
        for (int i = 0; i < 8; i++)
        {
            _m1.OnAdvertisement(Advert(1, 200), PeerHigh);
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(VrrpState.Backup, _m2.State);
    }

    [Fact]
    public void A_master_hearing_a_lower_priority_master_makes_the_others_resend_garp()
    {
        StartBothAsMaster();
        _m1.OnAdvertisement(Advert(1, 50), IPAddress.Parse("10.0.0.9"));
        Assert.Contains("garp 2", _a1.Log);
        Assert.Equal(["garp 2"], _a2.Log);
    }

    [Fact]
    public void Owners_in_a_group_become_master_once_all_have_started()
    {
        var group = new VrrpSyncGroup("G2");
        var a = new RecordingActions();
        var b = new RecordingActions();
        var m1 = new VrrpStateMachine(Settings("VI_1", 1, 255), Local, a, _time, group);
        var m2 = new VrrpStateMachine(Settings("VI_2", 2, 255), Local, b, _time, group);
        m1.Start(255, false);
        Assert.Equal(VrrpState.Backup, m1.State);
        m2.Start(255, false);
        Assert.Equal(VrrpState.Master, m1.State);
        Assert.Equal(VrrpState.Master, m2.State);
        Assert.Equal(VrrpState.Master, group.State);
    }

    [Fact]
    public void Stopping_every_member_puts_the_group_in_stop()
    {
        StartBothAsMaster();
        _m1.Stop();
        _m2.Stop();
        Assert.Equal([VrrpState.Initialize], _groupStates);
    }
}
