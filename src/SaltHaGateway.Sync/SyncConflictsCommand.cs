using System.Net.Http.Json;
using System.Text.Json;
using SaltHaGateway.Sync.Core;

namespace SaltHaGateway.Sync;

/// <summary>
/// <c>salt-ha-gateway sync conflicts</c> and <c>sync resolve --id N --keep local|remote</c>: thin
/// clients of the admin endpoints of the running service on this node.
/// </summary>
public static class SyncConflictsCommand
{
    public const string DefaultAdmin = "http://127.0.0.1:9145";

    public static async Task<int> ListAsync(string adminUrl, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (!TryAdmin(adminUrl, stderr, out var admin)) return 2;
        try
        {
            using var http = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(30) };
            using var response = await http.GetAsync("/sync/conflicts", ct).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                stderr.WriteLine($"sync conflicts: {(int)response.StatusCode} {body}");
                return 1;
            }
            using var doc = JsonDocument.Parse(body);
            stdout.WriteLine("ID\tSTATE\tACTION\tPATH\tFROM\tSTORED COPY");
            foreach (var c in doc.RootElement.EnumerateArray())
            {
                stdout.WriteLine(string.Join('\t', c.GetProperty("id").GetInt64(), c.GetProperty("open").GetBoolean() ? "open" : "closed",
                    c.GetProperty("action").GetString(), c.GetProperty("root").GetString() + "/" + c.GetProperty("path").GetString(),
                    c.GetProperty("remoteNode").GetString(), c.GetProperty("storedCopy").GetString() ?? "-"));
            }
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            stderr.WriteLine($"sync conflicts: {admin}: {e.Message}");
            return 1;
        }
    }

    /// <summary>Resolves through <paramref name="http"/> (the host gives a client of its control socket);
    /// <paramref name="where"/> names it in messages.</summary>
    public static async Task<int> ResolveAsync(HttpClient http, string where, long id, string? keep, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (!ConflictResolution.TryParseKeep(keep, out _))
        {
            stderr.WriteLine($"sync resolve: --keep must be 'local' or 'remote' (got '{keep}')");
            return 2;
        }
        try
        {
            using var response = await http.PostAsync($"/sync/conflicts/{id}/resolve?keep={keep}", null, ct).ConfigureAwait(false);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false));
            var result = body.RootElement;
            var message = result.TryGetProperty("message", out var m) ? m.GetString() : null;
            if (!response.IsSuccessStatusCode)
            {
                stderr.WriteLine($"sync resolve: refused ({(int)response.StatusCode}): {message}");
                return 1;
            }
            stdout.WriteLine($"conflict {id}: {message}; version {result.GetProperty("version").GetString()} goes to every peer");
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or InvalidOperationException or KeyNotFoundException)
        {
            stderr.WriteLine($"sync resolve: {where}: {e.Message}");
            return 1;
        }
    }

    private static bool TryAdmin(string url, TextWriter stderr, out Uri admin)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out admin!) && admin.Scheme is "http" or "https") return true;
        stderr.WriteLine($"--admin must be the admin listener's http:// URL (got '{url}')");
        return false;
    }
}
