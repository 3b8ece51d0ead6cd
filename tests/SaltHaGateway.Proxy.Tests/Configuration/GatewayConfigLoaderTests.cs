using System.Text;
using Microsoft.Extensions.DependencyInjection;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Tests.Configuration;

public sealed class GatewayConfigLoaderTests
{
    private static readonly GatewayConfigLoader Loader = CreateLoader();

    private static GatewayConfigLoader CreateLoader()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddGatewayConfigValidation();
        return services.BuildServiceProvider().GetRequiredService<GatewayConfigLoader>();
    }

    private static async Task<(GatewayProxyConfig? Config, IReadOnlyList<ConfigError> Errors)> Load(string json) =>
        await Loader.ParseAsync("gateway.json", Encoding.UTF8.GetBytes(json));

    private const string Valid = """
        {
          // comments and trailing commas are fine, as in appsettings.json
          "ReverseProxy": {
            "Routes": { "act2": { "ClusterId": "act2", "Match": { "Path": "/{**catch-all}" }, "Metadata": { "ProxySetHeader.Host": "$host:$server_port" } } },
            "Clusters": { "act2": {
              "Metadata": { "Balance": "ip_hash", "Check": "interval=3000 rise=2 fall=5 timeout=1000 type=tcp" },
              "Destinations": {
                "192.168.1.19:6868": { "Address": "http://192.168.1.19:6868", "Metadata": { "Weight": 2, "MaxFails": "3", "FailTimeout": "30s" } },
                "192.168.1.20:6868": { "Address": "http://192.168.1.20:6868" },
              } } }
          }
        }
        """;

    [Fact]
    public async Task Valid_config_loads_with_options_and_nginx_defaults()
    {
        var (config, errors) = await Load(Valid);
        Assert.Empty(errors);
        Assert.NotNull(config);
        Assert.Equal(BalanceKind.IpHash, config!.Upstreams["act2"].Balance.Kind);
        var s1 = config.Servers["act2"]["192.168.1.19:6868"];
        Assert.Equal(2, s1.Weight);
        Assert.Equal(3, s1.MaxFails);
        Assert.Equal(TimeSpan.FromSeconds(30), s1.FailTimeout);
        Assert.Equal(ServerOptions.Default, config.Servers["act2"]["192.168.1.20:6868"]);
        Assert.Equal(1024 * 1024, config.Routes[0].MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(60), config.Clusters[0].HttpRequest!.ActivityTimeout);
        Assert.Equal(["192.168.1.19:6868", "192.168.1.20:6868"], config.Clusters[0].Destinations!.Keys);
    }

    [Fact]
    public async Task Malformed_json_names_line_and_column()
    {
        var (config, errors) = await Load("{\n  \"ReverseProxy\": {\n    \"Routes\": { ,\n}");
        Assert.Null(config);
        var e = Assert.Single(errors);
        Assert.StartsWith("gateway.json:3:", e.Path);
        Assert.Contains("malformed JSON", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n")]
    public async Task Empty_file_is_rejected(string text)
    {
        var (config, errors) = await Load(text);
        Assert.Null(config);
        Assert.Equal("file is empty", Assert.Single(errors).Message);
    }

    [Fact]
    public async Task Truncated_file_is_rejected()
    {
        var (config, errors) = await Load(Valid[..(Valid.Length / 2)]);
        Assert.Null(config);
        Assert.Contains("malformed JSON", Assert.Single(errors).Message);
    }

    [Fact]
    public async Task Missing_section_is_rejected()
    {
        var (_, errors) = await Load("{ \"Gateway\": {} }");
        Assert.Equal("ReverseProxy", Assert.Single(errors).Path);
    }

    [Fact]
    public async Task Every_problem_is_reported_with_its_json_path()
    {
        var (config, errors) = await Load("""
            { "ReverseProxy": {
                "Routes": {
                  "r1": { "ClusterId": "nope", "Match": { "Path": "/{**catch-all}" } },
                  "r2": { "ClusterId": "c1", "Match": { "Path": "/x" }, "Metadata": { "ProxySetHeader.Host": "$bogus" } }
                },
                "Clusters": { "c1": {
                  "Metadata": { "Balance": "fastest", "ConnectTimeout": "soon" },
                  "Destinations": {
                    "d1": { "Address": "not a url" },
                    "d2": { "Address": "http://127.0.0.1:1", "Metadata": { "Weight": "0", "Colour": "red" } }
                  } } }
            } }
            """);
        Assert.Null(config);
        var byPath = errors.ToDictionary(e => e.Path, e => e.Message);
        Assert.Contains("unknown cluster \"nope\"", byPath["ReverseProxy.Routes.r1.ClusterId"]);
        Assert.Contains("unknown \"bogus\" variable", byPath["ReverseProxy.Routes.r2.Metadata.ProxySetHeader.Host"]);
        Assert.Contains("unknown balancing method", byPath["ReverseProxy.Clusters.c1.Metadata.Balance"]);
        Assert.Contains("invalid time", byPath["ReverseProxy.Clusters.c1.Metadata.ConnectTimeout"]);
        Assert.Contains("invalid address", byPath["ReverseProxy.Clusters.c1.Destinations.d1.Address"]);
        Assert.Contains("invalid weight", byPath["ReverseProxy.Clusters.c1.Destinations.d2.Metadata.Weight"]);
        Assert.Contains("unknown server option", byPath["ReverseProxy.Clusters.c1.Destinations.d2.Metadata.Colour"]);
    }

    [Theory]
    [InlineData("act 2")]
    [InlineData("act<2>")]
    [InlineData("salt/api")]
    public async Task A_cluster_name_sent_as_the_Host_header_must_be_a_host_name(string name)
    {
        // The name is $proxy_host, sent as Host by default: such a name used to load and then fail every request (502).
        var (config, errors) = await Load($$"""
            { "ReverseProxy": {
                "Routes": { "r1": { "ClusterId": "{{name}}", "Match": { "Path": "/{**catch-all}" } } },
                "Clusters": { "{{name}}": { "Destinations": { "d1": { "Address": "http://127.0.0.1:1" } } } }
            } }
            """);
        Assert.Null(config);
        var error = Assert.Single(errors, e => e.Path == "ReverseProxy.Routes.r1.ClusterId");
        Assert.Contains("is sent as the Host header", error.Message);

        // With a Host of its own the route does not send the name: any name will do then.
        var (named, none) = await Load($$"""
            { "ReverseProxy": {
                "Routes": { "r1": { "ClusterId": "{{name}}", "Match": { "Path": "/{**catch-all}" }, "Metadata": { "ProxySetHeader.Host": "$host" } } },
                "Clusters": { "{{name}}": { "Destinations": { "d1": { "Address": "http://127.0.0.1:1" } } } }
            } }
            """);
        Assert.Empty(none);
        Assert.NotNull(named);
    }

    [Theory]
    [InlineData("act2")]
    [InlineData("salt_api")]
    [InlineData("salt-api.v2")]
    [InlineData("10.0.0.5_8000")]
    public async Task Nginx_style_upstream_names_are_fine(string name)
    {
        var (config, errors) = await Load($$"""
            { "ReverseProxy": {
                "Routes": { "r1": { "ClusterId": "{{name}}", "Match": { "Path": "/{**catch-all}" } } },
                "Clusters": { "{{name}}": { "Destinations": { "d1": { "Address": "http://127.0.0.1:1" } } } }
            } }
            """);
        Assert.Empty(errors);
        Assert.NotNull(config);
    }

    [Fact]
    public async Task Wrong_types_and_unknown_keys_name_the_path()
    {
        var (_, errors) = await Load("""
            { "ReverseProxy": {
                "Routes": { "r1": { "ClusterId": "c1", "Match": { "Path": "/" }, "MaxRequestBodySize": "big" } },
                "Clusters": { "c1": { "Destinatons": {} } }
            } }
            """);
        Assert.Contains(errors, e => e.Path == "ReverseProxy.Routes.r1.MaxRequestBodySize" && e.Message.Contains("whole number"));
        Assert.Contains(errors, e => e.Path.StartsWith("ReverseProxy.Clusters.c1", StringComparison.Ordinal) && e.Message.Contains("unknown key"));
    }

    [Fact]
    public async Task Backup_with_ip_hash_is_rejected_as_nginx_does()
    {
        var (_, errors) = await Load("""
            { "ReverseProxy": { "Routes": {}, "Clusters": { "c1": { "Metadata": { "Balance": "ip_hash" }, "Destinations": {
                "a": { "Address": "http://127.0.0.1:1" }, "b": { "Address": "http://127.0.0.1:2", "Metadata": { "Backup": "true" } } } } } } }
            """);
        Assert.Contains(errors, e => e.Path == "ReverseProxy.Clusters.c1.Metadata.Balance" && e.Message.Contains("backup"));
    }

    [Fact]
    public async Task Cluster_without_servers_is_rejected()
    {
        var (_, errors) = await Load("""{ "ReverseProxy": { "Clusters": { "c1": { "Destinations": {} } } } }""");
        Assert.Equal("ReverseProxy.Clusters.c1.Destinations", Assert.Single(errors).Path);
    }

    [Fact]
    public async Task Next_upstream_on_http_status_is_refused_with_a_reason()
    {
        var (_, errors) = await Load("""
            { "ReverseProxy": { "Clusters": { "c1": { "Metadata": { "NextUpstream": "error timeout http_502" },
                "Destinations": { "a": { "Address": "http://127.0.0.1:1" } } } } } }
            """);
        Assert.Contains("not supported", Assert.Single(errors).Message);
    }
}
