using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

/// <summary>
/// A Host header built from what a client sent (<c>ProxySetHeader.Host: "$http_x_target_host"</c>) reaches the
/// upstream only when it is a valid host. A value that does not parse fails the request with 502 before anything is
/// sent: added without validation, the HTTP client would send the destination's authority and the raw value as two
/// Host headers, and an upstream or a cache in between could pick either.
/// </summary>
public sealed class HostHeaderExpressionTests : IAsyncLifetime
{
    private EchoUpstream _echo = null!;
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync()
    {
        _echo = await EchoUpstream.StartAsync();
        _gateway = await GatewayProcess.StartAsync((p, a) => GatewayProcess.Config(p, a, [_echo.Address],
            routeMetadata: new JsonObject { ["ProxySetHeader.Host"] = "$http_x_target_host" }));
    }

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        await _echo.DisposeAsync();
    }

    private sealed record Echo(Dictionary<string, string> Headers);

    private async Task<HttpResponseMessage> SendAsync(HttpClient http, string targetHost)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, _gateway.Url);
        request.Headers.TryAddWithoutValidation("X-Target-Host", targetHost);
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task A_host_that_does_not_parse_is_never_sent_and_the_server_stays_in_service()
    {
        using var http = new HttpClient();
        using (var good = await SendAsync(http, "salt.example.com:8080"))
        {
            Assert.Equal(HttpStatusCode.OK, good.StatusCode);
            var echo = await good.Content.ReadFromJsonAsync<Echo>(new JsonSerializerOptions(JsonSerializerDefaults.Web));
            Assert.Equal("salt.example.com:8080", echo!.Headers["host"]);
        }
        int before = _echo.Requests;

        using (var bad = await SendAsync(http, "bad host"))
        {
            Assert.Equal(HttpStatusCode.BadGateway, bad.StatusCode);
        }
        Assert.Equal(before, _echo.Requests);

        // The client's bad header is not the server's fault: the next request is served by it.
        using var after = await SendAsync(http, "salt.example.com");
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Equal(before + 1, _echo.Requests);
    }
}
