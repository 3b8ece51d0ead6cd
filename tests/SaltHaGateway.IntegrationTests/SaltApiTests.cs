using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// salt-api behind the gateway, driven by Salt's own client <c>salt-pepper</c>. A salt-api token is a session in the
/// memory of the master that issued it, so a client must reach that master again after <c>/login</c>: plain round
/// robin breaks pepper, and learned stickiness (nginx <c>sticky learn</c> on the <c>X-Auth-Token</c> header) fixes it,
/// also across a gateway pair that shares its bindings.
/// </summary>
public sealed class SaltApiTests
{
    private static readonly string[] Ping = ["--ignore-ssl-errors", "*", "test.ping"];

    [Fact]
    public async Task Pepper_talks_to_the_stand_in_directly()
    {
        await using var master = await SaltApiStandIn.StartAsync("a");
        using var pepper = new SaltPepper(master.Address);

        var run = await pepper.RunAsync(Ping);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"\"{master.MinionId}\": true", run.StdOut);
        Assert.Equal((1, 1), (master.Logins, master.Commands));

        using var wrong = pepper.With(password: "not-the-password");
        var denied = await wrong.RunAsync(Ping);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("Authentication denied", denied.StdErr);
        Assert.Equal(1, master.Logins);

        // -T: the first run logs in and caches the token, the second reuses it without a /login.
        using var cached = new SaltPepper(master.Address);
        for (var i = 0; i < 2; i++)
        {
            var tokenRun = await cached.RunAsync(["-T", .. Ping]);
            Assert.True(tokenRun.ExitCode == 0, tokenRun.ToString());
            Assert.Contains(master.MinionId, tokenRun.StdOut);
        }
        Assert.Equal((2, 3), (master.Logins, master.Commands));
        using var cache = JsonDocument.Parse(await File.ReadAllTextAsync(cached.CacheFile));
        Assert.Matches("^[0-9a-f]{40}$", cache.RootElement.GetProperty("token").GetString());
    }

    [Fact]
    public async Task The_stand_in_answers_as_salt_api_documents()
    {
        await using var master = await SaltApiStandIn.StartAsync("a");
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator,
            UseCookies = false,
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(master.Address) };

        using var welcome = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, welcome.StatusCode);
        Assert.Contains("\"clients\":[\"local\"", await welcome.Content.ReadAsStringAsync());

        // A browser form login: the token comes back in the body, in X-Auth-Token and as the session_id cookie.
        using var login = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["username"] = SaltApiStandIn.User, ["password"] = SaltApiStandIn.Password, ["eauth"] = "pam",
        }));
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var auth = (await login.Content.ReadFromJsonAsync<JsonObject>())!["return"]![0]!;
        var token = (string)auth["token"]!;
        Assert.Equal(token, login.Headers.GetValues("X-Auth-Token").Single());
        Assert.Matches($"^session_id={token}; expires=.+ GMT; Path=/$", login.Headers.GetValues("Set-Cookie").Single());
        Assert.Equal("pam", (string)auth["eauth"]!);
        Assert.Equal(12 * 3600, (double)auth["expire"]! - (double)auth["start"]!, precision: 0);

        async Task<HttpStatusCode> Ping(string path, string? header = null, string? cookie = null, JsonObject? extra = null)
        {
            var chunk = new JsonObject { ["client"] = "local", ["tgt"] = "*", ["fun"] = "test.ping" };
            foreach (var (k, v) in extra ?? []) chunk[k] = v?.DeepClone();
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(new JsonArray(chunk)) };
            if (header is not null) request.Headers.Add("X-Auth-Token", header);
            if (cookie is not null) request.Headers.Add("Cookie", $"session_id={cookie}");
            using var response = await http.SendAsync(request);
            if (response.IsSuccessStatusCode) Assert.Contains($"{{\"return\":[{{\"{master.MinionId}\":true}}]}}", await response.Content.ReadAsStringAsync());
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await Ping("/", header: token));
        Assert.Equal(HttpStatusCode.OK, await Ping("/", cookie: token));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ping("/"));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ping("/", header: new string('0', 40)));
        Assert.Equal(HttpStatusCode.OK, await Ping("/run", extra: new JsonObject { ["token"] = token }));
        Assert.Equal(HttpStatusCode.OK, await Ping("/run", extra: new JsonObject
        {
            ["username"] = SaltApiStandIn.User, ["password"] = SaltApiStandIn.Password, ["eauth"] = "pam",
        }));
        Assert.Equal(HttpStatusCode.Unauthorized, await Ping("/run", extra: new JsonObject
        {
            ["username"] = SaltApiStandIn.User, ["password"] = "wrong", ["eauth"] = "pam",
        }));

        // Another master never saw this session.
        await using var other = await SaltApiStandIn.StartAsync("b");
        using var elsewhere = new HttpRequestMessage(HttpMethod.Post, new Uri(new Uri(other.Address), "/"))
        {
            Content = JsonContent.Create(new JsonArray(new JsonObject { ["client"] = "local", ["tgt"] = "*", ["fun"] = "test.ping" })),
        };
        elsewhere.Headers.Add("X-Auth-Token", token);
        using var rejected = await http.SendAsync(elsewhere);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
    }
}
