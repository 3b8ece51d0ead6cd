using Prometheus;
using SaltHaGateway.Vrrp.Core;

namespace SaltHaGateway.Vrrp.Hosting;

/// <summary>The saltha_vrrp_* metrics, created in the registry the host exposes on /metrics.</summary>
public sealed class VrrpMetrics
{
    public VrrpMetrics(CollectorRegistry? registry = null)
    {
        var f = Metrics.WithCustomRegistry(registry ?? Metrics.DefaultRegistry);
        State = f.CreateGauge("saltha_vrrp_state", "VRRP instance state: 0 init, 1 backup, 2 master, 3 fault.", "instance");
        Transitions = f.CreateCounter("saltha_vrrp_transitions_total", "VRRP state transitions, by the state entered.", "instance", "state");
        AdvertsSent = f.CreateCounter("saltha_vrrp_adverts_sent_total", "VRRP advertisements sent (one per destination).", "instance");
        AdvertsReceived = f.CreateCounter("saltha_vrrp_adverts_received_total", "Valid VRRP advertisements received.", "instance");
        Priority = f.CreateGauge("saltha_vrrp_effective_priority", "Priority this node advertises (base + tracked weights).", "instance");
        Rejected = f.CreateCounter("saltha_vrrp_rejected_packets_total", "Received VRRP packets rejected, by reason.", "instance", "reason");
        SendErrors = f.CreateCounter("saltha_vrrp_send_errors_total", "VRRP advertisements the kernel refused to send.", "instance");
        NetlinkErrors = f.CreateCounter("saltha_vrrp_netlink_errors_total", "Address, route or rule changes the kernel refused, by kind (address, route, rule).", "instance", "kind");
        VirtualObjects = f.CreateGauge("saltha_vrrp_virtual_objects", "Addresses, excluded addresses, routes and rules this node holds for an instance (0 unless master).", "instance", "kind");
        SyncGroupState = f.CreateGauge("saltha_vrrp_sync_group_state", "VRRP sync group state: 0 init, 1 backup, 2 master, 3 fault.", "group");
        TrackValue = f.CreateGauge("saltha_vrrp_track_value", "A track_file's number, or the processes a track_process counts.", "track");
        Info = f.CreateGauge("saltha_vrrp_instance_info", "Always 1: an instance's address family (ipv4, ipv6), VRRP version and interface.", "instance", "family", "version", "interface");
        NotifyFifoDropped = f.CreateCounter("saltha_vrrp_notify_fifo_dropped_total", "notify_fifo lines dropped because the FIFO was full.");
    }

    public Gauge SyncGroupState { get; }
    public Gauge Info { get; }
    public Gauge TrackValue { get; }
    public Counter NotifyFifoDropped { get; }

    public Gauge State { get; }
    public Counter Transitions { get; }
    public Counter AdvertsSent { get; }
    public Counter AdvertsReceived { get; }
    public Gauge Priority { get; }
    public Counter Rejected { get; }
    public Counter SendErrors { get; }
    public Counter NetlinkErrors { get; }
    public Gauge VirtualObjects { get; }

    public static string StateLabel(VrrpState state) => state switch
    {
        VrrpState.Backup => "backup",
        VrrpState.Master => "master",
        VrrpState.Fault => "fault",
        _ => "init",
    };
}
