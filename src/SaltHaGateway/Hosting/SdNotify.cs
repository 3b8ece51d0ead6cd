using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text;
using SaltHaGateway.Admin;

namespace SaltHaGateway.Hosting;

/// <summary>The messages of systemd's notify protocol (sd_notify(3)): newline-separated KEY=VALUE assignments.</summary>
public static class SdNotifyMessage
{
    public const string Ready = "READY=1";
    public const string Stopping = "STOPPING=1";
    public const string Watchdog = "WATCHDOG=1";

    /// <summary>A reload begins; <paramref name="monotonicUsec"/> is CLOCK_MONOTONIC in microseconds, which systemd
    /// needs to tell this reload from an earlier one.</summary>
    public static string Reloading(long monotonicUsec) =>
        "RELOADING=1\nMONOTONIC_USEC=" + monotonicUsec.ToString(CultureInfo.InvariantCulture);

    /// <summary>The one-line status <c>systemctl status</c> shows; line breaks would end the assignment, so they become spaces.</summary>
    public static string Status(string text) => "STATUS=" + text.ReplaceLineEndings(" ");

    /// <summary>CLOCK_MONOTONIC now in microseconds: on Linux the Stopwatch reads that clock.</summary>
    public static long MonotonicUsec() => (long)(Stopwatch.GetTimestamp() * (1_000_000.0 / Stopwatch.Frequency));

    /// <summary>How often to ping the watchdog: half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) advises; null
    /// when the watchdog is off or meant for another process (<c>WATCHDOG_PID</c>).</summary>
    public static TimeSpan? WatchdogInterval(string? usec, string? pid, int ownPid)
    {
        if (!long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micro) || micro <= 0) return null;
        if (!string.IsNullOrEmpty(pid) && pid != ownPid.ToString(CultureInfo.InvariantCulture)) return null;
        return TimeSpan.FromMicroseconds(micro / 2.0);
    }

    /// <summary>The summary behind STATUS=, e.g. <c>VIP master, act2 2/2 up, sync in step</c>.</summary>
    public static string StatusLine(NodeSummary node)
    {
        var parts = new List<string>();
        if (node.Maintenance.On) parts.Add("maintenance");
        if (node.Vrrp.Count == 1) parts.Add("VIP " + node.Vrrp[0].State);
        else if (node.Vrrp.Count > 1) parts.Add("VIP " + string.Join(" ", node.Vrrp.Select(v => $"{v.Instance}={v.State}")));
        foreach (var upstream in node.Upstreams.GroupBy(s => s.Upstream))
            parts.Add($"{upstream.Key} {upstream.Count(s => s.Up)}/{upstream.Count()} up");
        if (node.Sync is { } sync)
        {
            var connected = sync.Peers.Count(p => p.Connected);
            var problems = new List<string>();
            if (sync.Roots.Any(r => r.State == "paused")) problems.Add("paused");
            if (connected < sync.Peers.Count) problems.Add($"{connected}/{sync.Peers.Count} peers");
            if (sync.OpenConflicts > 0) problems.Add($"{sync.OpenConflicts} conflicts");
            if (sync.Roots.Any(r => r.State == "pending")) problems.Add("pending");
            parts.Add(problems.Count == 0 ? "sync in step" : "sync " + string.Join(" ", problems));
        }
        return string.Join(", ", parts);
    }
}

/// <summary>
/// The socket systemd gave in <c>NOTIFY_SOCKET</c>: a datagram socket at a path, or in the abstract namespace when
/// the name starts with '@'. Without the variable every send does nothing.
/// </summary>
public sealed class SdNotifySocket : IDisposable
{
    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;
    private readonly Lock _lock = new();

    public SdNotifySocket(string? address)
    {
        if (string.IsNullOrEmpty(address)) return;
        _target = new UnixDomainSocketEndPoint(address[0] == '@' ? "\0" + address[1..] : address);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    public static SdNotifySocket FromEnvironment() => new(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"));

    public bool Enabled => _socket is not null;

    /// <summary>Sends one message; returns false when there is no socket or the send failed (systemd gone).</summary>
    public bool Send(string message)
    {
        if (_socket is null) return false;
        try
        {
            lock (_lock) _socket.SendTo(Encoding.UTF8.GetBytes(message), _target!);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
