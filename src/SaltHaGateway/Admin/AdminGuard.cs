using System.Net;
using System.Security.Cryptography;
using System.Text;
using Prometheus;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Admin;

/// <summary>
/// Who may use the admin listener and the control socket: <c>Gateway:Admin:Hosts</c> (names accepted in the Host
/// header besides IP literals and localhost), <c>Gateway:Admin:Access</c> (allow/deny rules, as on routes) and
/// <c>Gateway:Control:TokenFile</c> (a mode-0600 file whose content, as a bearer token, also allows state-changing
/// endpoints on the admin TCP listener).
/// </summary>
public sealed record AdminGuardOptions(IReadOnlyList<string> Hosts, AccessRules? Access, string? TokenFile)
{
    public static AdminGuardOptions Parse(IConfigurationSection gateway, List<ConfigError> errors)
    {
        var hosts = gateway.GetSection("Admin:Hosts").GetChildren().Select(c => c.Value ?? "").ToList();
        for (var i = 0; i < hosts.Count; i++)
        {
            if (hosts[i].Length == 0 || Uri.CheckHostName(hosts[i]) == UriHostNameType.Unknown)
                errors.Add(new($"Gateway:Admin:Hosts:{i}", $"\"{hosts[i]}\" is not a host name"));
        }
        AccessRules? access = null;
        if (gateway["Admin:Access"] is { } text && !AccessRules.TryParse(text, out access, out var error))
            errors.Add(new("Gateway:Admin:Access", error!));
        var tokenFile = gateway["Control:TokenFile"];
        if (tokenFile is not null && !Path.IsPathFullyQualified(tokenFile))
            errors.Add(new("Gateway:Control:TokenFile", $"\"{tokenFile}\" is not an absolute path"));
        return new AdminGuardOptions(hosts, access, tokenFile);
    }
}

/// <summary>
/// First step for every request that arrives on the admin listener or the control socket. On the admin listener:
/// the Host header must be an IP literal, <c>localhost</c> or a configured name (a DNS-rebinding page cannot pass),
/// the client must pass <c>Gateway:Admin:Access</c>, and a state-changing endpoint needs the bearer token from
/// <c>Gateway:Control:TokenFile</c> (without one configured it answers 405: such endpoints live on the control
/// socket). Anywhere, a state-changing request with an <c>Origin</c> header or a form content type is refused: no
/// command-line client sends those, a browser always does. Every refusal is logged and counted.
/// </summary>
public sealed partial class AdminGuard
{
    private readonly AdminGuardOptions _options;
    private readonly int _adminPort;
    private readonly byte[]? _token;
    private readonly HashSet<string> _hosts;
    private readonly Counter _refused;
    private readonly ILogger _logger;
    private readonly Proxy.Forwarding.ProxyPathWarmup _warmup;

    public AdminGuard(AdminGuardOptions options, int adminPort, byte[]? token, Proxy.Forwarding.ProxyPathWarmup warmup, ILogger<AdminGuard> logger)
    {
        _warmup = warmup;
        _options = options;
        _adminPort = adminPort;
        _token = token;
        _hosts = new HashSet<string>(options.Hosts.Append("localhost"), StringComparer.OrdinalIgnoreCase);
        _logger = logger;
        _refused = Metrics.CreateCounter("saltha_admin_refused_total",
            "Requests the admin listener or the control socket refused, by reason.", "reason");
        foreach (var reason in new[] { "host", "access", "mutation_over_tcp", "token", "origin", "form" }) _refused.WithLabels(reason);
    }

    /// <summary>Reads and checks the token file: it must exist, be non-empty and readable by its owner only.</summary>
    public static byte[]? LoadToken(string? file, out string? problem)
    {
        problem = null;
        if (file is null) return null;
        try
        {
            var mode = File.GetUnixFileMode(file);
            if ((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) != 0)
            {
                problem = $"Gateway:Control:TokenFile: {file} can be read or written by other users; chmod 600 it";
                return null;
            }
            var token = File.ReadAllText(file).Trim();
            if (token.Length < 16)
            {
                problem = $"Gateway:Control:TokenFile: {file} holds {(token.Length == 0 ? "no token" : "a token shorter than 16 characters")}";
                return null;
            }
            return Encoding.UTF8.GetBytes(token);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problem = $"Gateway:Control:TokenFile: {e.Message}";
            return null;
        }
    }

    /// <summary>True when state-changing endpoints are allowed on the admin TCP listener (with the token).</summary>
    public bool MutationsOverTcp => _token is not null;

    public Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var kind = AdminListenerPolicy.KindOf(context.Connection, _adminPort);
        // The start-up warm-up ends here, on its way through the proxy path; it reads nothing and changes nothing.
        if (kind == ListenerKind.Proxy || _warmup.Claims(context, out _)) return next(context);
        var mutation = context.GetEndpoint()?.Metadata.GetMetadata<ControlEndpointMetadata>() is not null;
        if (kind == ListenerKind.Admin)
        {
            if (!HostAllowed(context.Request.Host))
                return Refuse(context, "host", StatusCodes.Status421MisdirectedRequest, $"Host '{context.Request.Host}' is not this admin listener (add it to Gateway:Admin:Hosts)");
            if (_options.Access is { } access && !access.IsAllowed(context.Connection.RemoteIpAddress))
                return Refuse(context, "access", StatusCodes.Status403Forbidden, "forbidden by Gateway:Admin:Access");
            if (mutation && _token is null)
                return Refuse(context, "mutation_over_tcp", StatusCodes.Status405MethodNotAllowed,
                    "state-changing endpoints are served on the control socket (Gateway:Control:Socket); set Gateway:Control:TokenFile to allow them here");
            if (mutation && !TokenMatches(context.Request.Headers.Authorization.ToString()))
                return Refuse(context, "token", StatusCodes.Status401Unauthorized, "a valid bearer token is required (Gateway:Control:TokenFile)");
        }
        if (mutation && context.Request.Headers.Origin.Count > 0)
            return Refuse(context, "origin", StatusCodes.Status403Forbidden, "state-changing requests from a browser page (Origin header) are refused");
        if (mutation && IsForm(context.Request.ContentType))
            return Refuse(context, "form", StatusCodes.Status415UnsupportedMediaType, "state-changing requests with a form content type are refused");
        return next(context);
    }

    private bool HostAllowed(HostString host) =>
        host.HasValue && (IPAddress.TryParse(host.Host.Trim('[', ']'), out _) || _hosts.Contains(host.Host));

    private bool TokenMatches(string authorization)
    {
        const string Bearer = "Bearer ";
        if (_token is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase)) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[Bearer.Length..].Trim()), _token);
    }

    private static bool IsForm(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase));

    private Task Refuse(HttpContext context, string reason, int status, string message)
    {
        _refused.WithLabels(reason).Inc();
        LogRefused(context.Request.Method, context.Request.Path.Value ?? "", context.Connection.RemoteIpAddress?.ToString() ?? "control socket", reason, message);
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorBody(message), AdminJsonContext.Compact.ErrorBody);
    }

    [LoggerMessage(EventId = 6101, Level = LogLevel.Warning, Message = "Admin: refused {Method} {Path} from {Client}: {Reason} ({Detail})")]
    private partial void LogRefused(string method, string path, string client, string reason, string detail);
}
