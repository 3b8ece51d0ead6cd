using System.Net;
using SaltHaGateway.IntegrationTests.Infrastructure;

namespace SaltHaGateway.IntegrationTests;

public sealed class ReloadTests
{
    [Fact]
    public async Task A_good_edit_is_applied_without_a_restart()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        await using var b = await NginxUpstream.StartAsync("B");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]));
        using var http = new HttpClient();
        Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());

        await gateway.WriteConfigAsync(GatewayProcess.Config(gateway.Port, gateway.AdminPort, [b.Address]).ToJsonString());
        await Eventually.GetAsync(async () => (await http.GetStringAsync(gateway.Url)).Trim(), s => s == "B", what: "traffic to B after reload");
        Assert.Equal(2, await gateway.MetricAsync("saltha_config_generation"));
        Assert.Equal(2, await gateway.MetricAsync("saltha_config_reload_total{result=\"success\"}"));
    }

    public static TheoryData<string, string> BadEdits => new()
    {
        { "malformed", "{ \"ReverseProxy\": { \"Routes\": " },
        { "unknown cluster", "{ \"ReverseProxy\": { \"Routes\": { \"r\": { \"ClusterId\": \"missing\", \"Match\": { \"Path\": \"/{**x}\" } } }, \"Clusters\": {} } }" },
        { "bad address", "{ \"ReverseProxy\": { \"Routes\": {}, \"Clusters\": { \"act2\": { \"Destinations\": { \"d\": { \"Address\": \"ftp://x\" } } } } } }" },
        { "empty", "" },
    };

    [Theory]
    [MemberData(nameof(BadEdits))]
    public async Task A_bad_edit_keeps_the_running_config(string kind, string text)
    {
        await using var a = await NginxUpstream.StartAsync("A");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]));
        using var http = new HttpClient();

        await File.WriteAllTextAsync(gateway.ConfigFile, text);
        await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_reload_total{result=\"failure\"}"), v => v >= 1, what: $"reload failure for {kind}");
        Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());
        Assert.Equal(1, await gateway.MetricAsync("saltha_config_generation"));
        Assert.Equal(0, await gateway.MetricAsync("saltha_config_last_reload_success"));
        Assert.Contains("stays in force", gateway.Output);
    }

    [Fact]
    public async Task A_deleted_file_keeps_the_running_config_and_a_restored_one_is_applied()
    {
        await using var a = await NginxUpstream.StartAsync("A");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]));
        var original = await File.ReadAllTextAsync(gateway.ConfigFile);
        using var http = new HttpClient();

        File.Delete(gateway.ConfigFile);
        await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_reload_total{result=\"failure\"}"), v => v >= 1, what: "failure on delete");
        Assert.Equal("A", (await http.GetStringAsync(gateway.Url)).Trim());
        Assert.Contains("file not found", gateway.Output);

        await gateway.WriteConfigAsync(original.Replace("\"act2\": {\n        \"Destinations\"", "\"act2\": {\n        \"Metadata\": { \"Balance\": \"least_conn\" },\n        \"Destinations\""));
        await Eventually.GetAsync(() => gateway.MetricAsync("saltha_config_last_reload_success"), v => v == 1, what: "good reload after restore");
    }

    [Fact]
    public async Task Requests_in_flight_survive_a_reload()
    {
        await using var a = await NginxUpstream.StartAsync("A", extraHttp: "");
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [a.Address]));
        using var http = new HttpClient();
        var failures = 0;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var load = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var r = await http.GetAsync(gateway.Url);
                if (r.StatusCode != HttpStatusCode.OK) Interlocked.Increment(ref failures);
            }
        });
        for (var i = 0; i < 5; i++)
        {
            var config = GatewayProcess.Config(gateway.Port, gateway.AdminPort, [a.Address]);
            config["ReverseProxy"]!["Clusters"]!["act2"]!["Metadata"] = new System.Text.Json.Nodes.JsonObject { ["Keepalive"] = $"{i + 1}" };
            await gateway.WriteConfigAsync(config.ToJsonString());
            await Task.Delay(400);
        }
        await load;
        Assert.Equal(0, failures);
        Assert.True(await gateway.MetricAsync("saltha_config_generation") >= 3);
    }

    [Fact]
    public async Task Changing_only_the_body_limit_takes_effect()
    {
        await using var echo = await EchoUpstream.StartAsync();
        await using var gateway = await GatewayProcess.StartAsync((p, ad) => GatewayProcess.Config(p, ad, [echo.Address]));
        using var http = new HttpClient();
        using (var r = await http.PostAsync(gateway.Url, new ByteArrayContent(new byte[2000]))) Assert.Equal(HttpStatusCode.OK, r.StatusCode);

        var config = GatewayProcess.Config(gateway.Port, gateway.AdminPort, [echo.Address]);
        config["ReverseProxy"]!["Routes"]!["act2"]!["MaxRequestBodySize"] = 1000;
        await gateway.WriteConfigAsync(config.ToJsonString());
        await Eventually.GetAsync(async () =>
        {
            using var r = await http.PostAsync(gateway.Url, new ByteArrayContent(new byte[2000]));
            return r.StatusCode;
        }, c => c == HttpStatusCode.RequestEntityTooLarge, what: "413 after lowering the limit");
    }
}
