using System.Globalization;
using System.Text;
using System.Text.Json;
using SaltHaGateway.Admin;

namespace SaltHaGateway.Cli;

/// <summary>
/// <c>salt-ha-gateway status [--json]</c>: one screen for the pair, read from this node's admin listener
/// (<c>GET /pair/status</c>), which asks the peers over config sync's authenticated link.
/// </summary>
public static class StatusCommand
{
    public static async Task<int> RunAsync(string? configPath, string[] overrides, bool json, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (LocalOptions.Load(configPath, overrides, stderr) is not { } options) return 2;
        var admin = options.AdminListen;
        var host = admin.IsAny ? "127.0.0.1" : admin.Address!.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{admin.Address}]" : admin.Address.ToString();
        var url = $"http://{host}:{admin.Port}/pair/status";
        string body;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            body = await http.GetStringAsync(url, ct);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await stderr.WriteLineAsync($"status: cannot read {url}: {e.Message} (is the gateway running with this config?)");
            return 1;
        }
        if (json)
        {
            await stdout.WriteLineAsync(body);
            return 0;
        }
        try
        {
            var pair = JsonSerializer.Deserialize(body, AdminJsonContext.Indented.PairStatus)!;
            await stdout.WriteAsync(Render(pair));
            return 0;
        }
        catch (JsonException e)
        {
            await stderr.WriteLineAsync($"status: {url}: unreadable answer: {e.Message}");
            return 1;
        }
    }

    public static string Render(PairStatus pair)
    {
        var now = pair.Local.Time;
        var sb = new StringBuilder();
        var nodes = new List<(string Role, NodeSummary? Node, string Label, string? Error)> { ("this", pair.Local, pair.Local.Node, null) };
        nodes.AddRange(pair.Peers.Select(p => ("peer", p.Status, p.Status?.Node ?? p.Url, p.Error)));

        sb.Append(CultureInfo.InvariantCulture, $"salt-ha-gateway pair status at {now:yyyy-MM-dd HH:mm:ss}Z\n\n");
        var vips = nodes.Where(n => n.Node is not null).SelectMany(n => n.Node!.Vrrp.SelectMany(v => v.VirtualAddresses.Select(a => (Vip: a, Holder: v.HoldingAddresses ? n.Label : null))))
            .GroupBy(x => x.Vip).ToList();
        foreach (var vip in vips)
        {
            var holders = vip.Select(x => x.Holder).OfType<string>().Distinct().ToList();
            var who = holders.Count switch
            {
                0 => "NO NODE (the VIP is down)",
                1 => holders[0],
                _ => "SEVERAL NODES: " + string.Join(", ", holders) + " (split brain, or a handover in progress)",
            };
            sb.Append(CultureInfo.InvariantCulture, $"VIP {vip.Key} held by {who}\n");
        }
        if (vips.Count > 0) sb.Append('\n');

        sb.Append("NODE                                 VRRP                                    MAINTENANCE      SYNC\n");
        foreach (var (role, node, label, error) in nodes)
        {
            if (node is null)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{Cut($"{label} ({role})", 36),-36} unreachable: {error}\n");
                continue;
            }
            var vrrp = node.Vrrp.Count == 0 ? "not configured"
                : string.Join("; ", node.Vrrp.Select(v => $"{v.Instance} {v.State} prio {v.Priority}/{v.BasePriority}{Since(v.Since, now)}"));
            var maintenance = node.Maintenance.On ? $"ON{Since(node.Maintenance.Since, now)}" : "off";
            var sync = node.Sync is null ? "off"
                : $"{(node.Sync.Healthy ? "running" : "NOT HEALTHY")}, {node.Sync.Peers.Count(p => p.Connected)}/{node.Sync.Peers.Count} peers, {node.Sync.OpenConflicts} open conflicts";
            sb.Append(CultureInfo.InvariantCulture, $"{Cut($"{label} ({role})", 36),-36} {Cut(vrrp, 39),-39} {Cut(maintenance, 16),-16} {sync}\n");
        }

        foreach (var (role, node, label, _) in nodes)
        {
            if (node is null) continue;
            sb.Append(CultureInfo.InvariantCulture, $"\nSeen from {label}:\n");
            if (node.Upstreams.Count == 0) sb.Append("  upstream     none\n");
            foreach (var s in node.Upstreams)
            {
                var state = s.Drained ? "drained" : s.Up ? "up" : "DOWN";
                var check = s.CheckUp is null ? "no active check" : s.CheckUp.Value ? "check up" : $"check down ({s.LastReason ?? "?"})";
                sb.Append(CultureInfo.InvariantCulture, $"  upstream  {s.Upstream,-10} {s.Server,-24} {state,-8} {check}{Since(s.Since, now)}\n");
            }
            if (node.Sync is { } sync)
            {
                foreach (var p in sync.Peers)
                {
                    var seen = p.LastSeen is { } t ? $"last seen {Ago(now - t)} ago" : "never seen";
                    sb.Append(CultureInfo.InvariantCulture, $"  sync peer {p.Url,-35} {(p.Connected ? "connected" : "DISCONNECTED")}, {seen}, {p.PendingChanges} changes waiting{(p.LastError is null ? "" : ", last error: " + p.LastError)}\n");
                }
                foreach (var r in sync.Roots)
                    sb.Append(CultureInfo.InvariantCulture, $"  sync root {r.Root,-35} {r.State}{(r.PauseReason is null ? "" : ": " + r.PauseReason)}\n");
            }
        }
        return sb.ToString();
    }

    private static string Since(DateTimeOffset? since, DateTimeOffset now) => since is { } t ? $" since {Ago(now - t)}" : "";

    private static string Ago(TimeSpan span) => span.TotalSeconds < 0 ? "0s"
        : span.TotalSeconds < 120 ? $"{span.TotalSeconds:F0}s"
        : span.TotalMinutes < 120 ? $"{span.TotalMinutes:F0}m"
        : span.TotalHours < 48 ? $"{span.TotalHours:F0}h"
        : $"{span.TotalDays:F0}d";

    private static string Cut(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";
}
