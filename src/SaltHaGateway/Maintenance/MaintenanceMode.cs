using System.Net;
using System.Net.NetworkInformation;
using System.Text.Json;
using Prometheus;
using SaltHaGateway.Hosting;
using SaltHaGateway.Proxy.Upstreams;
using SaltHaGateway.Vrrp.Hosting;

namespace SaltHaGateway.Maintenance;

/// <summary>What <c>maintenance on|off</c> and the status endpoints report.</summary>
public sealed record MaintenanceState(bool On, DateTimeOffset? Since, IReadOnlyList<string> Drained);

/// <summary>
/// Planned work on this master in one switch: VRRP hands the VIPs to the peer without losing a packet and stays
/// backup (priority 1; it still takes over if no peer is left), the proxy drains the upstream servers that run on
/// this node (no new requests, requests in flight finish), and config sync keeps running. The state is written to
/// <c>StateDirectory/maintenance.json</c> before it is applied, so a restart comes back in maintenance until
/// <c>off</c>.
/// </summary>
public sealed partial class MaintenanceMode
{
    private const string FileName = "maintenance.json";
    private readonly string _file;
    private readonly UpstreamTable _upstreams;
    private readonly VrrpService? _vrrp;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Gauge _gauge;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _on;
    private DateTimeOffset? _since;

    public MaintenanceMode(GatewayOptions options, UpstreamTable upstreams, IServiceProvider services, TimeProvider time, ILogger<MaintenanceMode> logger)
    {
        _file = Path.Combine(options.StateDirectory, FileName);
        _upstreams = upstreams;
        _vrrp = services.GetService<VrrpService>();
        _time = time;
        _logger = logger;
        _gauge = Metrics.CreateGauge("saltha_maintenance", "1 while this node is in maintenance (VIP handed over, local upstream servers drained).");
        _gauge.Set(0);
    }

    public bool IsOn => _on;

    public MaintenanceState State => new(_on, _since,
        _upstreams.All.SelectMany(u => u.All.Where(s => s.Drained).Select(s => $"{u.Name}/{s.Name}")).ToArray());

    /// <summary>Re-enters maintenance that was on when the process stopped; called before VRRP starts.</summary>
    public void ApplyAtStart()
    {
        DateTimeOffset since;
        try
        {
            if (!File.Exists(_file)) return;
            using var doc = JsonDocument.Parse(File.ReadAllText(_file));
            since = doc.RootElement.TryGetProperty("since", out var s) && s.TryGetDateTimeOffset(out var t) ? t : _time.GetUtcNow();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            // Unreadable means we cannot know; err on the side of the operator's last word being "on".
            LogUnreadable(_file, e.Message);
            since = _time.GetUtcNow();
        }
        Apply(true, since);
        LogRestored(since);
    }

    /// <summary>Persists, then applies. Fails (and changes nothing) when the state cannot be written.</summary>
    /// <remarks>Runs on the thread pool: the fsync and the interface listing must not hold up a socket thread that
    /// also serves the proxy port (requests are processed inline on them; measured as a 0.1–0.2 s stall).</remarks>
    public Task<(bool Ok, string Message)> SetAsync(bool on, CancellationToken ct) => Task.Run(() => SetCoreAsync(on, ct), ct);

    private async Task<(bool Ok, string Message)> SetCoreAsync(bool on, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_on == on) return (true, on ? "already in maintenance" : "not in maintenance");
            var since = _time.GetUtcNow();
            try
            {
                if (on) WriteDurably(since);
                else File.Delete(_file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogPersistFailed(_file, e.Message);
                return (false, $"cannot record the maintenance state in {_file}: {e.Message}; nothing changed");
            }
            Apply(on, since);
            return (true, on ? "maintenance on" : "maintenance off");
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Apply(bool on, DateTimeOffset since)
    {
        IReadOnlyList<string> drained = [];
        if (on)
        {
            var local = LocalAddresses();
            drained = _upstreams.Drain(s => IsLocal(s, local));
        }
        else
        {
            _upstreams.Drain(null);
        }
        _since = on ? since : null;
        _on = on;
        _gauge.Set(on ? 1 : 0);
        _vrrp?.SetMaintenance(on);
        if (on) LogOn(drained.Count == 0 ? "none" : string.Join(", ", drained));
        else LogOff();
    }

    private void WriteDurably(DateTimeOffset since)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_file)!);
        var temp = _file + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            using (var json = new Utf8JsonWriter(stream))
            {
                json.WriteStartObject();
                json.WriteBoolean("on", true);
                json.WriteString("since", since);
                json.WriteEndObject();
            }
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, _file, overwrite: true);
    }

    /// <summary>This node's addresses, without the VIPs (which move between nodes).</summary>
    private HashSet<IPAddress> LocalAddresses()
    {
        var vips = (_vrrp?.Status() ?? []).SelectMany(i => i.VirtualAddresses)
            .Select(v => IPAddress.TryParse(v.Split('/')[0], out var a) ? a : null).OfType<IPAddress>().ToHashSet();
        var local = new HashSet<IPAddress>();
        foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
        {
            foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
            {
                if (!vips.Contains(unicast.Address)) local.Add(unicast.Address);
            }
        }
        return local;
    }

    private static bool IsLocal(UpstreamServer server, HashSet<IPAddress> local)
    {
        if (!Uri.TryCreate(server.Destination.Model.Config.Address, UriKind.Absolute, out var uri)) return false;
        if (uri.IsLoopback) return true;
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && (IPAddress.IsLoopback(address) || local.Contains(address));
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Warning, Message = "Maintenance ON: the VIP goes to the peer, local upstream servers drained ({Drained}); config sync keeps running")]
    private partial void LogOn(string drained);

    [LoggerMessage(EventId = 6002, Level = LogLevel.Warning, Message = "Maintenance OFF: local upstream servers take requests again; VRRP priority restored")]
    private partial void LogOff();

    [LoggerMessage(EventId = 6003, Level = LogLevel.Warning, Message = "Maintenance was on when the gateway stopped (since {Since}); it stays on until `salt-ha-gateway maintenance off`")]
    private partial void LogRestored(DateTimeOffset since);

    [LoggerMessage(EventId = 6004, Level = LogLevel.Error, Message = "Cannot record the maintenance state in {File}: {Reason}")]
    private partial void LogPersistFailed(string file, string reason);

    [LoggerMessage(EventId = 6005, Level = LogLevel.Error, Message = "Maintenance state file {File} is unreadable ({Reason}); starting in maintenance")]
    private partial void LogUnreadable(string file, string reason);
}
