using Prometheus;

namespace SaltHaGateway.Sync.Observability;

/// <summary>Prometheus metrics of the sync subsystem (all named saltha_sync_*).</summary>
public sealed class SyncMetrics(IMetricFactory factory)
{
    public Counter FilesSent { get; } = factory.CreateCounter("saltha_sync_files_sent_total", "Entries served to a peer.", ["peer"]);
    public Counter BytesSent { get; } = factory.CreateCounter("saltha_sync_bytes_sent_total", "File bytes served to a peer.", ["peer"]);
    public Counter FilesApplied { get; } = factory.CreateCounter("saltha_sync_files_applied_total", "Remote entries written to disk, per source peer.", ["peer"]);
    public Counter BytesApplied { get; } = factory.CreateCounter("saltha_sync_bytes_applied_total", "Remote file bytes written to disk, per source peer.", ["peer"]);
    public Gauge PendingChanges { get; } = factory.CreateGauge("saltha_sync_pending_changes", "Local changes a peer has not acknowledged yet.", ["peer"]);
    public Counter Conflicts { get; } = factory.CreateCounter("saltha_sync_conflicts_total", "Concurrent conflicting versions, by path class and outcome.", ["class", "action"]);
    public Counter ConflictsResolved { get; } = factory.CreateCounter("saltha_sync_conflicts_resolved_total", "Open conflicts closed: by an operator (keep_local, keep_remote) or by a newer version covering both sides (superseded).", ["action"]);
    public Counter Alerts { get; } = factory.CreateCounter("saltha_sync_alerts_total", "Conditions needing an operator (frozen master key, minion key clash, paused root).", ["kind"]);
    public Gauge LastFullScan { get; } = factory.CreateGauge("saltha_sync_last_full_scan_timestamp_seconds", "Unix time of the last completed full scan.", ["root"]);
    public Gauge RootPaused { get; } = factory.CreateGauge("saltha_sync_root_paused", "1 when a root is paused by a safety check.", ["root"]);
    public Gauge OpenConflicts { get; } = factory.CreateGauge("saltha_sync_open_conflicts", "Conflicts still open: a frozen master key waiting for an operator, or versions not yet superseded.");
    public Gauge PeerConnected { get; } = factory.CreateGauge("saltha_sync_peer_connected", "1 while the peer answers.", ["peer"]);
    public Gauge ReplicationLag { get; } = factory.CreateGauge("saltha_sync_replication_lag_seconds", "Origin edit to local apply, for the last change applied from the peer.", ["peer"]);
    public Counter WatcherOverflows { get; } = factory.CreateCounter("saltha_sync_watcher_overflows_total", "inotify queue overflows or watcher errors (each triggers a full rescan).");
}
