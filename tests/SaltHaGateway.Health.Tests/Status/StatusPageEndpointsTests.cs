using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Health.Tests.Status;

/// <summary>The check_status endpoint on a real Kestrel listener on loopback.</summary>
public sealed class StatusPageEndpointsTests : IAsyncLifetime
{
    private WebApplication? _app;
    private readonly FakeClockMonitor _checks = new();
    private HttpClient _client = new();

    public async Task InitializeAsync()
    {
        // Row 0 is up (default_down=false), row 1 down (default_down=true); no check result needed.
        _checks.Monitor.Apply(
        [
            FakeClockMonitor.Target(server: "192.168.1.19:6868", check: "interval=3000 rise=2 fall=5 timeout=1000 type=tcp default_down=false"),
            FakeClockMonitor.Target(server: "192.168.1.20:6868"),
        ]);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(_checks.Monitor);
        _app = builder.Build();
        _app.MapCheckStatus("/status");
        _app.MapCheckStatus("/status.json", StatusFormat.Json);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        await _checks.DisposeAsync();
    }

    [Fact]
    public async Task Get_defaults_to_html()
    {
        using var response = await _client.GetAsync("/status");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType!.ToString());
        var body = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\n", body);
        Assert.Contains("<h2>Check upstream server number: 2, generation: 1</h2>", body);
    }

    [Fact]
    public async Task Format_and_filter_come_from_the_query()
    {
        using var response = await _client.GetAsync("/status?FORMAT=csv&status=DOWN");
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("1,act2,192.168.1.20:6868,down,0,0,tcp,0\n", await response.Content.ReadAsStringAsync());

        using var json = await _client.GetAsync("/status?format=json&status=up");
        Assert.Equal("application/json", json.Content.Headers.ContentType!.ToString());
        using var doc = JsonDocument.Parse(await json.Content.ReadAsStringAsync());
        Assert.Equal(1, doc.RootElement.GetProperty("servers").GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_location_default_format_applies_and_a_bad_format_falls_back_to_it()
    {
        using var response = await _client.GetAsync("/status.json?format=XML");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task Head_returns_the_headers_only_with_the_body_length()
    {
        using var get = await _client.GetAsync("/status?format=json");
        var length = (await get.Content.ReadAsByteArrayAsync()).Length;
        using var head = await _client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/status?format=json"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task An_empty_csv_is_sent_with_length_zero_and_a_reload_bumps_the_generation()
    {
        _checks.Monitor.Apply([FakeClockMonitor.Target(server: "192.168.1.19:6868", check: "default_down=false")]);
        using var response = await _client.GetAsync("/status?format=csv&status=down");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());

        using var json = JsonDocument.Parse(await _client.GetStringAsync("/status?format=json"));
        Assert.Equal(2, json.RootElement.GetProperty("servers").GetProperty("generation").GetInt32());
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    [InlineData("OPTIONS")]
    public async Task Other_methods_get_405(string method)
    {
        using var response = await _client.SendAsync(new HttpRequestMessage(new HttpMethod(method), "/status") { Content = new StringContent("x") });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Contains("GET", response.Content.Headers.Allow);
    }
}
