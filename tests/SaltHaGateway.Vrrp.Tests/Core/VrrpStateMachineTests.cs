using System.Net;
using Microsoft.Extensions.Time.Testing;
using SaltHaGateway.Vrrp.Core;
using SaltHaGateway.Vrrp.Wire;

namespace SaltHaGateway.Vrrp.Tests.Core;

public sealed class VrrpStateMachineTests
{
    private static readonly IPAddress Local = IPAddress.Parse("10.0.0.1");
    private static readonly IPAddress PeerHigh = IPAddress.Parse("10.0.0.2");
    private static readonly IPAddress PeerLow = IPAddress.Parse("10.0.0.0");
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingActions _actions = new();

    private static VrrpInstanceSettings Settings(VrrpVersion version = VrrpVersion.V3, ushort intervalCs = 100) => new()
    {
        Name = "VI_1",
        Version = version,
        VirtualRouterId = 1,
        Priority = 100,
        IntervalCentiseconds = intervalCs,
        VirtualAddresses = [new VirtualAddress(IPAddress.Parse("10.0.0.100"), 32)],
        Garp = new GarpSettings { MasterRepeat = 5, MasterDelay = TimeSpan.FromSeconds(5), LowerPriorityRepeat = 3 },
    };

    private VrrpStateMachine Machine(VrrpInstanceSettings settings) => new(settings, Local, _actions, _time);

    private static VrrpAdvertisement Advert(byte priority, ushort intervalCs = 100) =>
        new(VrrpVersion.V3, 1, priority, intervalCs, [IPAddress.Parse("10.0.0.100")]);

    [Fact]
    public void Non_owner_starts_backup_and_takes_over_after_master_down_interval()
    {
        var m = Machine(Settings());
        m.Start(100, faulted: false);
        Assert.Equal(VrrpState.Backup, m.State);
        // 3 × 1 s + (256 − 100)/256 s = 3.609375 s
        _time.Advance(TimeSpan.FromMilliseconds(3609));
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, m.State);
        // Addresses and gratuitous ARP go out before the advert that makes the old master let go.
        Assert.Equal(["Initialize->Backup", "add", "garp 5", "advert 100", "Backup->Master"], _actions.Log);
    }

    [Fact]
    public void Owner_becomes_master_at_once_and_advertises_every_interval()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, faulted: false);
        Assert.Equal(VrrpState.Master, m.State);
        for (int i = 0; i < 3; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal([255, 255, 255, 255], _actions.Adverts);
    }

    [Fact]
    public void Master_sends_second_garp_burst_after_delay()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(2, _actions.Log.Count(l => l == "garp 5"));
    }

    [Fact]
    public void Adverts_from_higher_priority_master_keep_backup()
    {
        var m = Machine(Settings());
        m.Start(100, false);
        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(150), PeerHigh);
        }
        Assert.Equal(VrrpState.Backup, m.State);
        Assert.Equal(PeerHigh, m.Snapshot().MasterAddress);
    }

    [Fact]
    public void Preempting_backup_ignores_lower_priority_master_and_takes_over()
    {
        var m = Machine(Settings());
        m.Start(100, false);
        for (int i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(50), PeerHigh);
        }
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Nopreempt_backup_stays_behind_lower_priority_master()
    {
        var m = Machine(Settings() with { Preempt = false });
        m.Start(100, false);
        for (int i = 0; i < 10; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(50), PeerHigh);
        }
        Assert.Equal(VrrpState.Backup, m.State);
    }

    [Fact]
    public void Preempt_delay_postpones_takeover_from_lower_priority_master()
    {
        var m = Machine(Settings() with { PreemptDelay = TimeSpan.FromSeconds(10) });
        m.Start(100, false);
        for (int i = 0; i < 9; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(50), PeerHigh);
        }
        Assert.Equal(VrrpState.Backup, m.State);
        for (int i = 0; i < 4; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(50), PeerHigh);
        }
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Startup_listen_period_keeps_even_an_owner_from_claiming_early()
    {
        var m = Machine(Settings() with { Priority = 255, StartupListen = TimeSpan.FromSeconds(8) });
        m.Start(255, false);
        _time.Advance(TimeSpan.FromSeconds(7.9));
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Priority_zero_advert_makes_backup_take_over_after_skew_time()
    {
        var m = Machine(Settings(intervalCs: 10));
        m.Start(100, false);
        _time.Advance(TimeSpan.FromMilliseconds(100));
        m.OnAdvertisement(Advert(200, 10), PeerHigh);
        m.OnAdvertisement(Advert(0, 10), PeerHigh);
        // Skew = (256 − 100) × 100 ms / 256 = 60.9 ms
        _time.Advance(TimeSpan.FromMilliseconds(60));
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Skew_makes_lower_priority_backup_wait_longer()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(3609.375), VrrpTimers.MasterDownInterval(VrrpVersion.V2, 100, 100));
        Assert.Equal(TimeSpan.FromMilliseconds(3414.0625), VrrpTimers.MasterDownInterval(VrrpVersion.V2, 150, 100));
        Assert.Equal(TimeSpan.FromMilliseconds(360.9375), VrrpTimers.MasterDownInterval(VrrpVersion.V3, 100, 10));
        Assert.True(VrrpTimers.MasterDownInterval(VrrpVersion.V3, 50, 10) > VrrpTimers.MasterDownInterval(VrrpVersion.V3, 200, 10));
    }

    [Fact]
    public void V3_backup_learns_master_interval()
    {
        var m = Machine(Settings(intervalCs: 10));
        m.Start(100, false);
        m.OnAdvertisement(Advert(200, 50), PeerHigh);
        Assert.Equal(50, m.Snapshot().MasterIntervalCentiseconds);
        _time.Advance(TimeSpan.FromMilliseconds(1700));
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Equal(VrrpState.Master, m.State);
        Assert.Equal(10, m.Snapshot().MasterIntervalCentiseconds);
    }

    [Fact]
    public void Master_yields_to_higher_priority_and_to_equal_priority_with_higher_address()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        m.OnAdvertisement(Advert(255), PeerLow);
        Assert.Equal(VrrpState.Master, m.State);
        m.OnAdvertisement(Advert(255), PeerHigh);
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.Contains("remove", _actions.Log);
    }

    [Fact]
    public void Master_yielding_to_higher_priority_sends_one_last_advert_so_the_winner_learns_of_the_split()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        _actions.Clear();
        m.OnAdvertisement(Advert(255), PeerHigh);
        Assert.Equal(["advert 255", "Master->Backup"], _actions.Log);

        var rfc = new RecordingActions();
        var strict = new VrrpStateMachine(Settings() with { Priority = 255, HigherPrioritySendAdvert = false, ReleaseDelay = TimeSpan.Zero }, Local, rfc, _time);
        strict.Start(255, false);
        rfc.Clear();
        strict.OnAdvertisement(Advert(255), PeerHigh);
        Assert.Equal(["remove", "Master->Backup"], rfc.Log);
    }

    [Fact]
    public void Master_hearing_lower_priority_master_readvertises_and_resends_garp()
    {
        var m = Machine(Settings() with { Priority = 200 });
        m.Start(200, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, m.State);
        _actions.Clear();
        m.OnAdvertisement(Advert(100), PeerHigh);
        Assert.Equal(VrrpState.Master, m.State);
        Assert.Equal(["advert 200", "garp 3"], _actions.Log);
    }

    [Fact]
    public void Master_answers_priority_zero_with_an_advert()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        _actions.Clear();
        m.OnAdvertisement(Advert(0), PeerHigh);
        Assert.Equal(["advert 255"], _actions.Log);
    }

    [Fact]
    public void Graceful_stop_of_master_resigns_with_priority_zero_and_removes_vips()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        _actions.Clear();
        m.Stop();
        Assert.Equal(["advert 0", "remove", "Master->Initialize"], _actions.Log);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Empty(_actions.Adverts.Skip(1));
    }

    [Fact]
    public void Weight_zero_failure_on_master_enters_fault_and_resigns()
    {
        var m = Machine(Settings() with { Priority = 255 });
        m.Start(255, false);
        _actions.Clear();
        m.UpdateTracking(255, faulted: true);
        Assert.Equal(VrrpState.Fault, m.State);
        Assert.Equal(["advert 0", "remove", "Master->Fault"], _actions.Log);
        m.OnAdvertisement(Advert(10), PeerHigh);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Fault, m.State);
        m.UpdateTracking(100, faulted: false);
        Assert.Equal(VrrpState.Backup, m.State);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Lowered_priority_on_master_is_advertised_at_once_and_backup_takes_over()
    {
        var master = Machine(Settings() with { Priority = 150 });
        master.Start(150, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, master.State);
        _actions.Clear();
        master.UpdateTracking(50, faulted: false);
        Assert.Equal(["advert 50"], _actions.Log);

        var backupActions = new RecordingActions();
        var backup = new VrrpStateMachine(Settings(), PeerHigh, backupActions, _time);
        backup.Start(100, false);
        backup.OnAdvertisement(Advert(150), Local);
        _time.Advance(TimeSpan.FromMilliseconds(500));
        backup.OnAdvertisement(Advert(50), Local);
        // The lower-priority advert does not reset the timer: takeover within one master-down interval.
        _time.Advance(TimeSpan.FromMilliseconds(3200));
        Assert.Equal(VrrpState.Master, backup.State);
    }

    [Fact]
    public void Raised_priority_on_backup_shortens_the_running_down_timer_by_the_skew_change()
    {
        var m = Machine(Settings());
        m.Start(100, false);
        m.UpdateTracking(254, false);
        // 3.609 s − (skew 100 − skew 254) = 3.0078 s
        _time.Advance(TimeSpan.FromMilliseconds(3008));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Started_while_faulted_stays_in_fault()
    {
        var m = Machine(Settings());
        m.Start(100, faulted: true);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(VrrpState.Fault, m.State);
        Assert.Empty(_actions.Adverts);
    }

    [Fact]
    public void Master_beaten_by_a_peer_keeps_the_vips_for_the_release_delay_then_removes_them()
    {
        var m = Machine(Settings() with { Priority = 100 });
        m.Start(100, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        _actions.Clear();
        m.OnAdvertisement(Advert(150), PeerHigh);
        Assert.Equal(VrrpState.Backup, m.State);
        Assert.True(_actions.VipsPresent);
        Assert.True(m.Snapshot().HoldingAddresses);
        _time.Advance(TimeSpan.FromMilliseconds(199));
        Assert.True(_actions.VipsPresent);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.False(_actions.VipsPresent);
        Assert.False(m.Snapshot().HoldingAddresses);
        Assert.Equal(["advert 100", "Master->Backup", "remove"], _actions.Log);
    }

    [Fact]
    public void Becoming_master_again_while_still_holding_the_vips_cancels_the_release_and_adds_nothing_twice()
    {
        var m = Machine(Settings() with { Priority = 100, ReleaseDelay = TimeSpan.FromSeconds(10) });
        m.Start(100, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        m.OnAdvertisement(Advert(150), PeerHigh);
        _actions.Clear();
        // The winner falls silent: after a master-down interval this node takes over again, VIPs never left.
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, m.State);
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.DoesNotContain("remove", _actions.Log);
        Assert.DoesNotContain("add", _actions.Log);
        Assert.True(_actions.VipsPresent);
    }

    [Fact]
    public void Planned_handover_resigns_but_keeps_the_vips_until_the_taker_has_advertised()
    {
        var m = Machine(Settings() with { Priority = 150 });
        m.Start(150, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        _actions.Clear();
        var done = m.HandOverAsync();
        Assert.Equal(["advert 0", "Master->Backup"], _actions.Log);
        Assert.True(_actions.VipsPresent);
        Assert.False(done.IsCompleted);

        _time.Advance(TimeSpan.FromMilliseconds(500));   // the peer's skew time, whatever it is
        Assert.True(_actions.VipsPresent);
        m.OnAdvertisement(Advert(100), PeerHigh);        // the peer is master; its GARP went out before this
        Assert.True(_actions.VipsPresent);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(_actions.VipsPresent);
        Assert.True(done.IsCompletedSuccessfully);
        Assert.Equal(PeerHigh, m.Snapshot().MasterAddress);   // who took over, for the log

        // Leaving: even a long silence never makes it master again.
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(VrrpState.Backup, m.State);
        Assert.Equal([0], _actions.Adverts);
    }

    [Fact]
    public void Planned_handover_with_no_taker_releases_after_a_master_down_interval()
    {
        var m = Machine(Settings() with { Priority = 150 });
        m.Start(150, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        var done = m.HandOverAsync();
        // 3 × 1 s + (256 − 150)/256 s = 3.414 s
        _time.Advance(TimeSpan.FromMilliseconds(3400));
        Assert.False(done.IsCompleted);
        Assert.True(_actions.VipsPresent);
        _time.Advance(TimeSpan.FromMilliseconds(20));
        Assert.True(done.IsCompletedSuccessfully);
        Assert.False(_actions.VipsPresent);
        Assert.NotEqual(VrrpState.Master, m.State);
    }

    [Fact]
    public void Handover_of_a_backup_is_done_at_once()
    {
        var m = Machine(Settings());
        m.Start(100, false);
        m.OnAdvertisement(Advert(150), PeerHigh);
        Assert.True(m.HandOverAsync().IsCompletedSuccessfully);
        _time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(VrrpState.Backup, m.State);
        Assert.Empty(_actions.Adverts);
    }

    [Fact]
    public void Resign_for_maintenance_hands_over_and_stays_backup_behind_the_peer()
    {
        var m = Machine(Settings() with { Priority = 150 });
        m.Start(150, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        _actions.Clear();
        m.Resign(1);
        Assert.Equal(["advert 0", "Master->Backup"], _actions.Log);
        Assert.True(_actions.VipsPresent);
        m.OnAdvertisement(Advert(100), PeerHigh);
        _time.Advance(TimeSpan.FromMilliseconds(200));
        Assert.False(_actions.VipsPresent);
        for (int i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            m.OnAdvertisement(Advert(100), PeerHigh);
        }
        Assert.Equal(VrrpState.Backup, m.State);

        // Maintenance off: the base priority is back and preemption takes the VIP after a master-down interval.
        m.UpdateTracking(150, false);
        _time.Advance(TimeSpan.FromSeconds(1));
        m.OnAdvertisement(Advert(100), PeerHigh);
        _time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(VrrpState.Master, m.State);
    }

    [Fact]
    public void Resign_with_no_peer_to_take_over_keeps_serving()
    {
        var m = Machine(Settings() with { Priority = 150 });
        m.Start(150, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        _actions.Clear();
        m.Resign(1);
        _time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(VrrpState.Master, m.State);
        Assert.True(_actions.VipsPresent);
        Assert.DoesNotContain("remove", _actions.Log);
        Assert.DoesNotContain("add", _actions.Log);
        Assert.Equal(1, _actions.Adverts[^1]);
    }

    [Fact]
    public void A_fault_during_the_release_delay_releases_at_once()
    {
        var m = Machine(Settings() with { Priority = 100 });
        m.Start(100, false);
        _time.Advance(TimeSpan.FromSeconds(4));
        m.OnAdvertisement(Advert(150), PeerHigh);
        Assert.True(_actions.VipsPresent);
        m.UpdateTracking(100, faulted: true);
        Assert.False(_actions.VipsPresent);
        Assert.Equal(VrrpState.Fault, m.State);
    }

    [Fact]
    public void Lower_prio_no_advert_answers_a_lower_priority_master_with_garp_only()
    {
        var m = Machine(Settings() with { Priority = 255, LowerPriorityNoAdvert = true });
        m.Start(255, faulted: false);
        _actions.Clear();
        m.OnAdvertisement(Advert(50), PeerLow);
        Assert.Equal(["garp 3"], _actions.Log);
    }

    [Fact]
    public void Garp_refresh_sends_the_configured_repeat()
    {
        var settings = Settings() with
        {
            Priority = 255,
            Garp = new GarpSettings { MasterRepeat = 1, MasterDelay = TimeSpan.Zero, MasterRefresh = TimeSpan.FromSeconds(10), MasterRefreshRepeat = 3 },
        };
        var m = Machine(settings);
        m.Start(255, faulted: false);
        _actions.Clear();
        _time.Advance(TimeSpan.FromSeconds(10));
        Assert.Contains("garp 3", _actions.Log);
    }
}
