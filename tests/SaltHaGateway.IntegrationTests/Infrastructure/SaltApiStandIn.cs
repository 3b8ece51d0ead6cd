using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>
/// One master's salt-api (<c>rest_cherrypy</c>) on a real loopback socket, as far as clients and a proxy can see it:
/// <list type="bullet">
/// <item>HTTPS only, with a self-signed certificate made for this instance (salt-api refuses plain HTTP unless
/// <c>disable_ssl</c>; most sites run it with a self-signed certificate).</item>
/// <item><c>POST /login</c> with <c>username</c>, <c>password</c>, <c>eauth</c> as JSON or form fields: 200
/// <c>{"return":[{"token","expire","start","user","eauth","perms"}]}</c>, the token also in <c>X-Auth-Token</c> and in
/// <c>Set-Cookie: session_id=TOKEN; expires=…; Path=/</c>; wrong credentials: 401.</item>
/// <item>The token is a CherryPy session id: it lives only in the memory of the process that issued it (another
/// master, or this one restarted, answers 401) and ends after 10 hours without use (<c>tools.sessions.timeout</c>).
/// <c>expire</c> in the login answer is Salt's default <c>token_expire</c>, 12 hours after <c>start</c>.</item>
/// <item><c>POST /</c> with a lowstate list, authenticated by the <c>X-Auth-Token</c> header or the
/// <c>session_id</c> cookie: 200 <c>{"return":[…]}</c>, one entry per chunk; no or an unknown token: 401.</item>
/// <item><c>POST /run</c>: no session; each chunk carries <c>token</c> or <c>username</c>/<c>password</c>/<c>eauth</c>.</item>
/// <item><c>GET /</c>: 200 <c>{"return":"Welcome","clients":[…]}</c> without authentication.</item>
/// </list>
/// Each master has one minion, <c>minion-of-NAME</c>, so an answer tells which master served it: <c>test.ping</c>
/// returns <c>{"minion-of-NAME":true}</c>.
/// </summary>
public sealed class SaltApiStandIn : IAsyncDisposable
{
    public const string User = "saltdev";
    public const string Password = "saltdev-secret";

    /// <summary>Salt's default <c>token_expire</c>.</summary>
    private static readonly TimeSpan TokenExpire = TimeSpan.FromHours(12);
    /// <summary>rest_cherrypy's <c>tools.sessions.timeout</c> (60 * 10 minutes).</summary>
    private static readonly TimeSpan SessionTimeout = TimeSpan.FromHours(10);

    private static readonly string[] Clients =
        ["local", "local_async", "local_batch", "local_subset", "runner", "runner_async", "ssh", "wheel", "wheel_async"];

    private readonly WebApplication _app;
    private readonly Counters _counters;
    private bool _stopped;

    private sealed class Counters
    {
        public int Requests, Logins, Commands, Unauthorized;
    }

    private sealed record Session(string User, DateTimeOffset Expire)
    {
        public DateTimeOffset LastUsed { get; set; } = DateTimeOffset.UtcNow;
    }

    private SaltApiStandIn(string name, WebApplication app, int port, Counters counters)
    {
        Name = name;
        _app = app;
        Port = port;
        _counters = counters;
    }

    public string Name { get; }
    public string MinionId => MinionOf(Name);
    public int Port { get; }
    public string Address => $"https://127.0.0.1:{Port}";

    /// <summary>Requests received, of any kind.</summary>
    public int Requests => Volatile.Read(ref _counters.Requests);
    /// <summary>Successful <c>POST /login</c>s: each created a token here.</summary>
    public int Logins => Volatile.Read(ref _counters.Logins);
    /// <summary>Lowstate requests (<c>POST /</c>, <c>POST /run</c>) that were authenticated and executed.</summary>
    public int Commands => Volatile.Read(ref _counters.Commands);
    /// <summary>Requests answered 401: wrong credentials, or a token this master does not know.</summary>
    public int Unauthorized => Volatile.Read(ref _counters.Unauthorized);

    public static string MinionOf(string name) => $"minion-of-{name}";

    public static async Task<SaltApiStandIn> StartAsync(string name)
    {
        var certificate = SelfSignedCertificate($"salt-api-{name}");
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(certificate)));
        var app = builder.Build();
        var counters = new Counters();
        var sessions = new ConcurrentDictionary<string, Session>();
        var minion = MinionOf(name);

        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref counters.Requests);
            await next(context);
            if (context.Response.StatusCode == StatusCodes.Status401Unauthorized) Interlocked.Increment(ref counters.Unauthorized);
        });

        app.MapGet("/", () => Results.Json(new { @return = "Welcome", clients = Clients }));

        app.MapPost("/login", async (HttpContext context) =>
        {
            var body = await ReadLowstateAsync(context.Request);
            if (body is not [var credentials] || !Authenticates(credentials)) return Results.Unauthorized();
            var token = RandomNumberGenerator.GetHexString(40, lowercase: true);
            var start = DateTimeOffset.UtcNow;
            var session = new Session(User, start + TokenExpire);
            sessions[token] = session;
            Interlocked.Increment(ref counters.Logins);
            context.Response.Headers["X-Auth-Token"] = token;
            context.Response.Headers.SetCookie = $"session_id={token}; expires={(start + SessionTimeout).ToString("R")}; Path=/";
            return Results.Json(new
            {
                @return = new[]
                {
                    new
                    {
                        token,
                        expire = session.Expire.ToUnixTimeMilliseconds() / 1000.0,
                        start = start.ToUnixTimeMilliseconds() / 1000.0,
                        user = User,
                        eauth = "pam",
                        perms = new[] { ".*", "@wheel", "@runner" },
                    },
                },
            });
        });

        // The session: X-Auth-Token wins over the cookie (rest_cherrypy copies the header into session_id).
        app.MapPost("/", async (HttpContext context) =>
        {
            var token = context.Request.Headers["X-Auth-Token"].FirstOrDefault() ?? context.Request.Cookies["session_id"];
            if (!Valid(token)) return Results.Unauthorized();
            if (await ReadLowstateAsync(context.Request) is not { } lowstate) return Results.BadRequest();
            Interlocked.Increment(ref counters.Commands);
            return Results.Json(new { @return = lowstate.Select(Execute).ToArray() });
        });

        // No session: each chunk authenticates itself.
        app.MapPost("/run", async (HttpContext context) =>
        {
            if (await ReadLowstateAsync(context.Request) is not { } lowstate) return Results.BadRequest();
            if (lowstate.Count == 0 || !lowstate.All(c => Valid(Text(c, "token")) || Authenticates(c))) return Results.Unauthorized();
            Interlocked.Increment(ref counters.Commands);
            return Results.Json(new { @return = lowstate.Select(Execute).ToArray() });
        });

        await app.StartAsync();
        return new SaltApiStandIn(name, app, new Uri(app.Urls.First()).Port, counters);

        bool Valid(string? token)
        {
            if (token is null || !sessions.TryGetValue(token, out var session)) return false;
            var now = DateTimeOffset.UtcNow;
            if (now > session.Expire || now - session.LastUsed > SessionTimeout)
            {
                sessions.TryRemove(token, out _);
                return false;
            }
            session.LastUsed = now;
            return true;
        }

        object? Execute(JsonObject chunk) => (Text(chunk, "client"), Text(chunk, "fun")) switch
        {
            ("local", "test.ping") => new Dictionary<string, object> { [minion] = true },
            ("local", var fun) => new Dictionary<string, object> { [minion] = $"'{fun}' is not available." },
            ("runner", "manage.up") => new[] { minion },
            var (client, fun) => $"'{client}' client with '{fun}' is not supported here",
        };
    }

    private static bool Authenticates(JsonObject credentials) =>
        Text(credentials, "username") == User && Text(credentials, "password") == Password && Text(credentials, "eauth") is "pam" or "auto";

    private static string? Text(JsonObject o, string key) => o[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    /// <summary>The body as lowstate chunks: a JSON list, a JSON object (one chunk) or form fields (one chunk).</summary>
    private static async Task<List<JsonObject>?> ReadLowstateAsync(HttpRequest request)
    {
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync();
            var chunk = new JsonObject();
            foreach (var (key, value) in form) chunk[key] = value.ToString();
            return [chunk];
        }
        try
        {
            return await JsonNode.ParseAsync(request.Body) switch
            {
                JsonArray list when list.All(c => c is JsonObject) => list.Select(c => (JsonObject)c!.DeepClone()).ToList(),
                JsonObject one => [one],
                _ => null,
            };
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static X509Certificate2 SelfSignedCertificate(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build());
        using var cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }

    /// <summary>The master dies: the port refuses connections from now on, and its sessions are gone.</summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        await _app.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
