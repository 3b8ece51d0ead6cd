using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// The live page on the admin listener (<c>GET /</c>, refreshed from <c>GET /ui/summary</c>), against a real gateway
/// on loopback: its headers and policy, that <c>/</c> on the proxy listener still reaches the upstream, and, in a
/// real headless browser, that it shows the running gateway and follows a server going down.
/// </summary>
public sealed class AdminPageTests(ITestOutputHelper output)
{
    private static JsonObject Checked(int port, int admin, IEnumerable<string> servers) =>
        GatewayProcess.Config(port, admin, servers, clusterMetadata: new JsonObject { ["Check"] = "interval=200 rise=1 fall=1 timeout=500 type=tcp" });

    [Fact]
    public async Task The_page_is_served_on_the_admin_listener_with_a_strict_policy_and_the_proxy_listener_still_proxies_root()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync((p, a) => Checked(p, a, [upstream.Address]));
        using var http = new HttpClient();

        using var proxied = await http.GetAsync(gateway.Url);
        Assert.Equal(HttpStatusCode.OK, proxied.StatusCode);
        Assert.Equal("/", (string?)JsonNode.Parse(await proxied.Content.ReadAsStringAsync())!["path"]);
        Assert.False(proxied.Headers.Contains("Content-Security-Policy"));

        using var page = await http.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType?.ToString());
        Assert.Equal("nosniff", Assert.Single(page.Headers.GetValues("X-Content-Type-Options")));
        var policy = Assert.Single(page.Headers.GetValues("Content-Security-Policy"));
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("default-src 'none'", policy);
        Assert.Contains("connect-src 'self'", policy);
        Assert.Contains("frame-ancestors 'none'", policy);
        Assert.DoesNotContain("unsafe-inline", policy);
        // The one inline script and style are allowed by their hash, and nothing is loaded from anywhere else.
        Assert.Contains($"script-src {Sha256(Between(html, "<script>", "</script>"))};", policy);
        Assert.Contains($"style-src {Sha256(Between(html, "<style>", "</style>"))};", policy);
        Assert.DoesNotMatch("(src|href)=", html);

        using var summary = await http.GetAsync($"http://127.0.0.1:{gateway.AdminPort}/ui/summary");
        Assert.Equal("nosniff", Assert.Single(summary.Headers.GetValues("X-Content-Type-Options")));
        var json = JsonNode.Parse(await summary.Content.ReadAsStringAsync())!;
        var server = json["servers"]!.AsArray().Single()!;
        Assert.Equal($"127.0.0.1:{upstream.Port}", (string?)server["server"]);
        Assert.Equal("tcp", (string?)server["check"]);
        Assert.NotNull(json["rates"]!["requests"]);

        // The admin guard runs for the page as for every admin endpoint.
        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{gateway.AdminPort}/");
        foreign.Headers.Host = "attacker.example";
        Assert.Equal(HttpStatusCode.MisdirectedRequest, (await http.SendAsync(foreign)).StatusCode);
    }

    [ChromiumFact]
    public async Task The_page_shows_the_running_gateway_and_follows_a_server_going_down()
    {
        await using var a = await EchoUpstream.StartAsync();
        var b = await EchoUpstream.StartAsync();
        var bStopped = false;
        try
        {
            await using var gateway = await GatewayProcess.StartAsync((p, ad) => WithUpstreamName(Checked(p, ad, [a.Address, b.Address]), MarkupName));
            using var http = new HttpClient();
            // Some traffic for the rates (its status does not matter here: every answer is counted).
            for (var i = 0; i < 10; i++) (await http.GetAsync(gateway.Url)).Dispose();

            await using var browser = await HeadlessChromium.OpenAsync(new Uri($"http://127.0.0.1:{gateway.AdminPort}/"));
            var dom = await Eventually.GetAsync(browser.DomAsync, d => State(d, a.Port) == "up" && State(d, b.Port) == "up",
                TimeSpan.FromSeconds(30), "both servers up on the page");
            // A value with markup in it is shown as text, never parsed.
            Assert.Contains("act2&lt;i&gt;x&lt;/i&gt;", dom);
            Assert.DoesNotContain(MarkupName, dom);
            Assert.Contains("requests since start", dom);

            await b.DisposeAsync();
            bStopped = true;
            // The same page, left open, follows: its script fetches the summary every 2 s.
            dom = await Eventually.GetAsync(browser.DomAsync, d => State(d, b.Port) == "down", TimeSpan.FromSeconds(30), "B down on the page");
            Assert.Equal("up", State(dom, a.Port));
            Assert.Contains("refused", dom);

            var png = Path.Combine(AppContext.BaseDirectory, "artifacts", "admin-page.png");
            await browser.ScreenshotAsync(png);
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], File.ReadAllBytes(png)[..4]);
            output.WriteLine($"screenshot of the admin page: {png}");
        }
        finally
        {
            if (!bStopped) await b.DisposeAsync();
        }
    }

    private const string MarkupName = "act2<i>x</i>";

    /// <summary>Renames the config's one upstream (cluster); its route sends a Host of its own, since this name could
    /// not be sent as one.</summary>
    private static JsonObject WithUpstreamName(JsonObject config, string name)
    {
        var proxy = config["ReverseProxy"]!;
        var route = proxy["Routes"]!["act2"]!.AsObject();
        route["ClusterId"] = name;
        var metadata = route["Metadata"] as JsonObject ?? new JsonObject();
        metadata["ProxySetHeader.Host"] = "$host";
        route["Metadata"] = metadata;
        var clusters = proxy["Clusters"]!.AsObject();
        var cluster = clusters["act2"]!;
        clusters.Remove("act2");
        clusters[name] = cluster;
        return config;
    }

    /// <summary>The state the page shows for the server on this loopback port (null when it has no row).</summary>
    private static string? State(string dom, int port)
    {
        var match = Regex.Match(dom, $"<tr data-server=\"127\\.0\\.0\\.1:{port}\" data-state=\"([a-z]+)\">");
        return match.Success ? match.Groups[1].Value : null;
    }

    private static string Between(string text, string start, string end)
    {
        var from = text.IndexOf(start, StringComparison.Ordinal) + start.Length;
        return text[from..text.IndexOf(end, from, StringComparison.Ordinal)];
    }

    private static string Sha256(string text) => $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";
}
