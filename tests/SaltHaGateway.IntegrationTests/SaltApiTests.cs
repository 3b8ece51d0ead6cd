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

    [Fact]
    public async Task Round_robin_without_stickiness_breaks_pepper()
    {
        await using var a = await SaltApiStandIn.StartAsync("a");
        await using var b = await SaltApiStandIn.StartAsync("b");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address, b.Address]));
        using var pepper = new SaltPepper(gateway.Url.ToString());

        var runs = new List<SaltPepper.Result>();
        for (var i = 0; i < 10; i++) runs.Add(await pepper.RunAsync(Ping));

        // Every login works, on either master; the command after it goes to the next master, which never saw the token.
        Assert.True(a.Logins + b.Logins == 10, $"logins a={a.Logins} b={b.Logins}; first run: {runs[0]}\n{gateway.Output}");
        var failures = runs.Where(r => r.ExitCode != 0).ToList();
        Assert.NotEmpty(failures);
        Assert.All(failures, f => Assert.Contains("Authentication denied", f.StdErr));
        Assert.Equal(failures.Count, a.Unauthorized + b.Unauthorized);
    }

    private const string StickyLearn = "learn create=$upstream_http_x_auth_token create=$upstream_cookie_session_id "
        + "lookup=$http_x_auth_token lookup=$cookie_session_id zone=saltapi:1m timeout=10h header";

    /// <summary>The salt-api upstream as it would be written for nginx: both masters over HTTPS (their certificates are
    /// self-signed; nginx's <c>proxy_ssl_verify</c> is off by default), and bindings learned from the token.</summary>
    private static string SaltApiNginxConfig(SaltApiStandIn a, SaltApiStandIn b) => $$"""
        upstream saltapi {
          server 127.0.0.1:{{a.Port}};
          server 127.0.0.1:{{b.Port}};
          sticky {{StickyLearn}};
        }
        server {
          listen 8000;
          location / {
            proxy_pass https://saltapi;
          }
        }
        """;

    [Fact]
    public async Task Sticky_learn_imported_from_nginx_keeps_pepper_on_the_master_of_its_token()
    {
        await using var a = await SaltApiStandIn.StartAsync("a");
        await using var b = await SaltApiStandIn.StartAsync("b");
        var dir = Directory.CreateTempSubdirectory("shg-saltapi-").FullName;
        var nginxFile = Path.Combine(dir, "salt-api.conf");
        var gatewayFile = Path.Combine(dir, "gateway.json");
        await File.WriteAllTextAsync(nginxFile, SaltApiNginxConfig(a, b));

        var (code, _, stderr) = await GatewayProcess.RunVerbAsync("import-nginx", nginxFile, "-o", gatewayFile);
        Assert.True(code == 0, stderr);
        var imported = await File.ReadAllTextAsync(gatewayFile);
        var cluster = JsonNode.Parse(imported)!["ReverseProxy"]!["Clusters"]!["saltapi"]!;
        Assert.Equal(StickyLearn, (string?)cluster["Metadata"]?["Sticky"]);
        Assert.All(cluster["Destinations"]!.AsObject(), d => Assert.StartsWith("https://127.0.0.1:", (string)d.Value!["Address"]!));

        var (port, admin) = (TestPorts.Free(), TestPorts.Free());
        await using var gateway = await GatewayProcess.StartAsync((_, _) => imported, port, admin, "run",
            $"--Gateway:Listen:0=http://127.0.0.1:{port}", $"--Gateway:Admin:Listen=http://127.0.0.1:{admin}");
        using var pepper = new SaltPepper(gateway.Url.ToString());

        // 50 logins, a few at a time: round robin spreads them, and each command follows its own token.
        var runs = new SaltPepper.Result[50];
        await Parallel.ForEachAsync(Enumerable.Range(0, runs.Length), new ParallelOptions { MaxDegreeOfParallelism = 4 },
            async (i, _) => runs[i] = await pepper.RunAsync(Ping));
        Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
        Assert.Equal(50, a.Logins + b.Logins);
        Assert.True(a.Logins > 0 && b.Logins > 0, $"logins a={a.Logins} b={b.Logins}: balancing of logins is kept");
        Assert.Equal(0, a.Unauthorized + b.Unauthorized);

        // A token cached with -T keeps working: one login, then every run on the master that issued it.
        using var cached = new SaltPepper(gateway.Url.ToString());
        var logins = a.Logins + b.Logins;
        var first = await cached.RunAsync(["-T", .. Ping]);
        Assert.True(first.ExitCode == 0, first.ToString());
        var (bound, other) = first.StdOut.Contains(a.MinionId) ? (a, b) : (b, a);
        for (var i = 0; i < 4; i++)
        {
            var again = await cached.RunAsync(["-T", .. Ping]);
            Assert.True(again.ExitCode == 0, again.ToString());
            Assert.Contains(bound.MinionId, again.StdOut);
        }
        Assert.Equal(logins + 1, a.Logins + b.Logins);

        // A browser keeps its session with the session_id cookie alone.
        using (var browser = new HttpClient())
        {
            using var login = await browser.PostAsync(new Uri(gateway.Url, "/login"), new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["username"] = SaltApiStandIn.User, ["password"] = SaltApiStandIn.Password, ["eauth"] = "pam",
            }));
            Assert.Equal(HttpStatusCode.OK, login.StatusCode);
            for (var i = 0; i < 4; i++)
            {
                using var ping = await browser.PostAsync(gateway.Url,
                    JsonContent.Create(new JsonArray(new JsonObject { ["client"] = "local", ["tgt"] = "*", ["fun"] = "test.ping" })));
                Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            }
        }

        // The bound master dies: its sessions die with it, so the cached token is refused; a new login works on the other.
        await bound.StopAsync();
        var orphan = await cached.RunAsync(["-T", .. Ping]);
        Assert.NotEqual(0, orphan.ExitCode);
        using var fresh = cached.With();
        var relogin = await fresh.RunAsync(["-T", .. Ping]);
        Assert.True(relogin.ExitCode == 0, relogin.ToString());
        Assert.Contains(other.MinionId, relogin.StdOut);
        var afterwards = await fresh.RunAsync(["-T", .. Ping]);
        Assert.True(afterwards.ExitCode == 0, afterwards.ToString());
    }

    [Fact]
    public async Task Two_gateways_share_learned_bindings_over_the_sync_link()
    {
        await using var a = await SaltApiStandIn.StartAsync("a");
        await using var b = await SaltApiStandIn.StartAsync("b");
        var dir = Directory.CreateTempSubdirectory("shg-saltapi-").FullName;
        try
        {
            // The sync link needs a root to watch: both gateways watch the same empty directory, so the link carries
            // nothing but the bindings.
            var root = Directory.CreateDirectory(Path.Combine(dir, "srv-salt")).FullName;
            var (state1, state2) = (Path.Combine(dir, "state-1"), Path.Combine(dir, "state-2"));
            var (fp1, fp2) = (await SyncInitAsync(state1), await SyncInitAsync(state2));
            var (link1, link2) = (TestPorts.Free(), TestPorts.Free());

            JsonObject Config(int p, int ad, string state, int listen, int peer, string peerFingerprint)
            {
                var config = GatewayProcess.Config(p, ad, [a.Address, b.Address], clusterMetadata: new JsonObject
                {
                    ["Sticky"] = "learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=saltapi:1m timeout=10h header sync",
                });
                config["ConfigSync"] = new JsonObject
                {
                    ["Enabled"] = true,
                    ["Listen"] = $"https://127.0.0.1:{listen}",
                    ["StateDirectory"] = state,
                    ["Roots"] = new JsonArray(root),
                    ["Peers"] = new JsonArray(new JsonObject { ["Url"] = $"https://127.0.0.1:{peer}", ["Fingerprint"] = peerFingerprint }),
                };
                return config;
            }

            await using var gateway1 = await GatewayProcess.StartAsync((p, ad) => Config(p, ad, state1, link1, link2, fp2));
            await using var gateway2 = await GatewayProcess.StartAsync((p, ad) => Config(p, ad, state2, link2, link1, fp1));

            using var viaGateway1 = new SaltPepper(gateway1.Url.ToString());
            var login = await viaGateway1.RunAsync(["-T", .. Ping]);
            Assert.True(login.ExitCode == 0, login.ToString());
            var bound = login.StdOut.Contains(a.MinionId) ? a : b;
            try
            {
                await Eventually.GetAsync(() => StickyEntriesAsync(gateway2), n => n >= 1, TimeSpan.FromSeconds(15), "the binding on gateway 2");
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException($"{e.Message}\n--- gateway 1 ---\n{gateway1.Output}\n--- gateway 2 ---\n{gateway2.Output}");
            }

            // The same token through the other gateway: without the shared binding, round robin would send every
            // second command to the master that does not know it.
            using var viaGateway2 = viaGateway1.With(url: gateway2.Url.ToString(), cacheFrom: viaGateway1.CacheFile);
            for (var i = 0; i < 4; i++)
            {
                var run = await viaGateway2.RunAsync(["-T", .. Ping]);
                Assert.True(run.ExitCode == 0, run.ToString());
                Assert.Contains(bound.MinionId, run.StdOut);
            }
            Assert.Equal(1, a.Logins + b.Logins);
        }
        finally
        {
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
        }
    }

    private static async Task<string> SyncInitAsync(string stateDir)
    {
        var (code, stdout, stderr) = await GatewayProcess.RunVerbAsync("sync", "init", "--state-dir", stateDir);
        Assert.True(code == 0, stderr);
        return stdout.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>The bindings a gateway holds: the sum of the "entries" counts in its /sticky/status, 0 while it has none
    /// (or no such endpoint).</summary>
    private static async Task<long> StickyEntriesAsync(GatewayProcess gateway)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/sticky/status");
        if (!response.IsSuccessStatusCode) return 0;
        return Entries(JsonNode.Parse(await response.Content.ReadAsStringAsync()));

        static long Entries(JsonNode? node) => node switch
        {
            JsonObject o => o.Sum(p => p.Key.Equals("entries", StringComparison.OrdinalIgnoreCase) && p.Value is JsonValue v
                && v.TryGetValue<long>(out var n) ? n : Entries(p.Value)),
            JsonArray list => list.Sum(Entries),
            _ => 0,
        };
    }
}
