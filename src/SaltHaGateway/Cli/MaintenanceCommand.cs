using System.Net.Sockets;
using System.Text.Json;
using SaltHaGateway.Control;
using SaltHaGateway.Hosting;

namespace SaltHaGateway.Cli;

/// <summary>
/// <c>salt-ha-gateway maintenance on|off</c>: a client of the running gateway's control socket, found from the same
/// config file (<c>Gateway:Control:Socket</c>) as every verb.
/// </summary>
public static class MaintenanceCommand
{
    public static async Task<int> RunAsync(string state, string? configPath, string[] overrides, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        if (LocalOptions.Load(configPath, overrides, stderr) is not { } options) return 2;
        try
        {
            using var http = ControlSocket.Client(options.ControlSocket, TimeSpan.FromSeconds(30));
            using var response = await http.PostAsync($"/maintenance/{state}", null, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (!response.IsSuccessStatusCode)
            {
                await stderr.WriteLineAsync($"maintenance {state}: {(root.TryGetProperty("message", out var m) ? m.GetString() : root.GetProperty("error").GetString())}");
                return 1;
            }
            await stdout.WriteLineAsync(root.GetProperty("message").GetString());
            var drained = root.GetProperty("maintenance").GetProperty("drained").EnumerateArray().Select(d => d.GetString()).ToArray();
            if (state == "on")
            {
                await stdout.WriteLineAsync("  VIP: handed to the peer (this node stays backup unless no peer is left)");
                await stdout.WriteLineAsync($"  drained: {(drained.Length == 0 ? "no upstream server runs on this node" : string.Join(", ", drained))}");
                await stdout.WriteLineAsync("  config sync: running");
                await stdout.WriteLineAsync("  persists across restarts until `salt-ha-gateway maintenance off`");
            }
            return 0;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException se)
        {
            await stderr.WriteLineAsync($"maintenance {state}: cannot reach the gateway's control socket {options.ControlSocket}: {se.Message}"
                + (se.SocketErrorCode == SocketError.AccessDenied ? " (it is root-only: run as root)" : " (is the gateway running with this config?)"));
            return 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            await stderr.WriteLineAsync($"maintenance {state}: {options.ControlSocket}: {e.Message}");
            return 1;
        }
    }
}

/// <summary>The <c>Gateway</c> section of the config a verb talks to, with the usual overrides.</summary>
internal static class LocalOptions
{
    public static GatewayOptions? Load(string? configPath, string[] overrides, TextWriter stderr)
    {
        var file = ConfigFileLocator.Resolve(configPath);
        IConfiguration configuration;
        try
        {
            configuration = ConfigCheck.BuildConfiguration(file, overrides, fileIsValid: File.Exists(file));
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or IOException or JsonException)
        {
            stderr.WriteLine($"salt-ha-gateway: {file}: {e.Message}");
            return null;
        }
        var errors = new List<Proxy.Configuration.ConfigError>();
        var options = GatewayOptions.Parse(configuration, errors);
        foreach (var e in errors) stderr.WriteLine($"salt-ha-gateway: {file}: {e}");
        return errors.Count == 0 ? options : null;
    }
}
