using Microsoft.Extensions.Configuration;
using SaltHaGateway.Admin;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Hosting;

public enum AccessLogFormat { Combined, Json, Off }

/// <summary>A check_status location on the proxy listener (nginx's <c>location /status { check_status; allow …; deny all; }</c>).</summary>
public sealed record StatusPageOptions(string Path, AccessRules? Access, SaltHaGateway.Health.StatusFormat Format);

/// <summary>The <c>Gateway</c> section: listeners, access log and log format. Read from the file with .NET's usual
/// environment (<c>Gateway__Admin__Listen</c>) and command-line (<c>--Gateway:Admin:Listen=</c>) overrides.
/// Changing it takes a restart.</summary>
public sealed record GatewayOptions(
    IReadOnlyList<ListenAddress> Listen,
    ListenAddress AdminListen,
    AccessLogFormat AccessLogFormat,
    string AccessLogPath,
    bool JsonLogs,
    Serilog.Events.LogEventLevel LogLevel,
    IReadOnlyList<StatusPageOptions> StatusPages,
    string StateDirectory = GatewayOptions.DefaultStateDirectory,
    string ControlSocket = GatewayOptions.DefaultControlSocket,
    AdminGuardOptions? AdminGuard = null,
    TlsOptions? Tls = null,
    IReadOnlyList<int>? RedirectHttps = null,
    TimeSpan? ClientHeaderTimeout = null)
{
    private static readonly string[] KnownKeys = ["Listen", "Admin", "AccessLog", "Log", "StatusPages", "StateDirectory", "Control", "Tls", "RedirectHttps",
        "ClientHeaderTimeout"];
    public const string DefaultListen = "http://*:80";
    public const string DefaultAdminListen = "http://127.0.0.1:9145";
    public const string DefaultStateDirectory = "/var/lib/salt-ha-gateway";
    public const string DefaultControlSocket = "/run/salt-ha-gateway/control.sock";
    /// <summary>nginx's <c>client_header_timeout</c> default.</summary>
    public static readonly TimeSpan DefaultClientHeaderTimeout = TimeSpan.FromSeconds(60);
    /// <summary>sun_path holds 108 bytes including the terminating NUL.</summary>
    private const int MaxSocketPathBytes = 107;

    /// <summary>The port that <see cref="RedirectHttps"/> sends clients to: the first https listener's, else 443.</summary>
    public int HttpsPort => Listen.FirstOrDefault(l => l.Https)?.Port ?? 443;

    public static GatewayOptions? Parse(IConfiguration configuration, List<ConfigError> errors) =>
        Parse(configuration, errors, [], TimeProvider.System);

    /// <param name="warnings">Problems that do not stop the gateway (an expired certificate).</param>
    public static GatewayOptions? Parse(IConfiguration configuration, List<ConfigError> errors, List<ConfigError> warnings, TimeProvider time)
    {
        var section = configuration.GetSection("Gateway");
        var listen = new List<ListenAddress>();
        var listenSection = section.GetSection("Listen");
        if (listenSection.Value is { } single)
        {
            errors.Add(new("Gateway:Listen", $"must be an array of URLs, for example [\"{single}\"]"));
        }
        else
        {
            var urls = listenSection.GetChildren().Select(c => (c.Path, c.Value)).ToList();
            if (urls.Count == 0) urls = [("Gateway:Listen:0", DefaultListen)];
            foreach (var (urlPath, url) in urls)
            {
                if (ListenAddress.TryParse(url, out var address, out var error)) listen.Add(address!);
                else errors.Add(new(urlPath, error!));
            }
        }

        var adminUrl = section["Admin:Listen"] ?? DefaultAdminListen;
        ListenAddress.TryParse(adminUrl, out var admin, out var adminError);
        if (admin is null) errors.Add(new("Gateway:Admin:Listen", adminError!));
        else if (admin.Https) errors.Add(new("Gateway:Admin:Listen", $"\"{adminUrl}\": the admin listener is plain http://"));
        else if (listen.Any(l => l.Port == admin.Port && admin.Port != 0))
            errors.Add(new("Gateway:Admin:Listen", $"port {admin.Port} is also a proxy listener; the admin endpoints need a port of their own"));

        var format = (section["AccessLog:Format"] ?? "combined").ToLowerInvariant() switch
        {
            "combined" => AccessLogFormat.Combined,
            "json" => AccessLogFormat.Json,
            "off" => AccessLogFormat.Off,
            var other => Invalid(errors, "Gateway:AccessLog:Format", $"\"{other}\" is not combined, json or off", AccessLogFormat.Off),
        };
        var path = section["AccessLog:Path"] ?? "stdout";

        var jsonLogs = (section["Log:Format"] ?? "text").ToLowerInvariant() switch
        {
            "text" => false,
            "json" => true,
            var other => Invalid(errors, "Gateway:Log:Format", $"\"{other}\" is not text or json", false),
        };
        var levelText = section["Log:Level"] ?? "Information";
        if (!Enum.TryParse<Serilog.Events.LogEventLevel>(levelText, true, out var level))
            errors.Add(new("Gateway:Log:Level", $"\"{levelText}\" is not Verbose, Debug, Information, Warning, Error or Fatal"));

        var pages = new List<StatusPageOptions>();
        foreach (var page in section.GetSection("StatusPages").GetChildren())
        {
            var pagePath = page["Path"];
            if (string.IsNullOrEmpty(pagePath) || !pagePath.StartsWith('/'))
            {
                errors.Add(new($"{page.Path}:Path", "missing or not starting with '/': the location of the status page, e.g. /status"));
                continue;
            }
            AccessRules? access = null;
            if (page["Access"] is { } accessText && !AccessRules.TryParse(accessText, out access, out var accessError))
                errors.Add(new($"{page.Path}:Access", accessError!));
            var pageFormat = SaltHaGateway.Health.StatusFormat.Html;
            if (page["Format"] is { } formatText && !Enum.TryParse(formatText, true, out pageFormat))
                errors.Add(new($"{page.Path}:Format", $"\"{formatText}\" is not html, csv, json or prometheus"));
            pages.Add(new StatusPageOptions(pagePath, access, pageFormat));
        }

        var stateDirectory = section["StateDirectory"] ?? DefaultStateDirectory;
        if (!Path.IsPathFullyQualified(stateDirectory))
            errors.Add(new("Gateway:StateDirectory", $"\"{stateDirectory}\" is not an absolute path"));
        var controlSocket = section["Control:Socket"] ?? DefaultControlSocket;
        if (!Path.IsPathFullyQualified(controlSocket))
            errors.Add(new("Gateway:Control:Socket", $"\"{controlSocket}\" is not an absolute path"));
        else if (System.Text.Encoding.UTF8.GetByteCount(controlSocket) > MaxSocketPathBytes)
            errors.Add(new("Gateway:Control:Socket", $"longer than the {MaxSocketPathBytes} bytes a unix socket path may have"));
        foreach (var child in section.GetSection("Control").GetChildren())
        {
            if (!new[] { "Socket", "TokenFile" }.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add(new($"Gateway:Control:{child.Key}", "unknown key; expected Socket, TokenFile"));
        }
        foreach (var child in section.GetSection("Admin").GetChildren())
        {
            if (!new[] { "Listen", "Hosts", "Access" }.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add(new($"Gateway:Admin:{child.Key}", "unknown key; expected Listen, Hosts, Access"));
        }
        var guard = AdminGuardOptions.Parse(section, errors);
        var tls = TlsOptions.Parse(section.GetSection("Tls"), listen.Any(l => l.Https), errors, warnings, time);
        var redirect = ParseRedirect(section.GetSection("RedirectHttps"), listen, errors);
        var headerTimeout = DefaultClientHeaderTimeout;
        if (section["ClientHeaderTimeout"] is { } headerTimeoutText
            && (!NginxValue.TryParseTime(headerTimeoutText, out headerTimeout) || headerTimeout <= TimeSpan.Zero))
            errors.Add(new("Gateway:ClientHeaderTimeout", $"\"{headerTimeoutText}\" is not a time above zero, for example 60s"));

        foreach (var child in section.GetChildren())
        {
            if (!KnownKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                errors.Add(new($"Gateway:{child.Key}", "unknown key; expected " + string.Join(", ", KnownKeys)));
        }
        return admin is null ? null : new GatewayOptions(listen, admin, format, path, jsonLogs, level, pages, stateDirectory, controlSocket, guard, tls, redirect,
            headerTimeout);
    }

    /// <summary><c>Gateway:RedirectHttps</c>: ports of plain listeners that answer every request with a 301 to https
    /// (nginx's <c>listen 80; return 301 https://$host$request_uri;</c>).</summary>
    private static List<int> ParseRedirect(IConfigurationSection section, List<ListenAddress> listen, List<ConfigError> errors)
    {
        var ports = new List<int>();
        if (section.Value is { } single)
        {
            errors.Add(new("Gateway:RedirectHttps", $"must be an array of ports, for example [{single}]"));
            return ports;
        }
        foreach (var child in section.GetChildren())
        {
            if (!int.TryParse(child.Value, out var port))
                errors.Add(new(child.Path, $"\"{child.Value}\" is not a port number"));
            else if (!listen.Any(l => l.Port == port && !l.Https))
                errors.Add(new(child.Path, $"port {port} is not a plain http:// listener in Gateway:Listen"));
            else if (!ports.Contains(port))
                ports.Add(port);
        }
        return ports;
    }

    private static T Invalid<T>(List<ConfigError> errors, string path, string message, T fallback)
    {
        errors.Add(new(path, message));
        return fallback;
    }
}
