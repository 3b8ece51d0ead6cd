using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using SaltHaGateway.Admin;
using SaltHaGateway.Hosting;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.Tests.Hosting;

/// <summary>The proxy listener's own route lookup picks what endpoint routing would, or leaves the request to it.</summary>
public sealed class ProxyRouteTableTests
{
    private static RouteEndpoint Proxy(string pattern, int order = 0, RouteMatch? match = null, string? authorization = null,
        IReadOnlyList<IReadOnlyDictionary<string, string>>? transforms = null)
    {
        var config = new RouteConfig
        {
            RouteId = pattern + order, ClusterId = "c", Order = order, Match = match ?? new RouteMatch { Path = pattern },
            AuthorizationPolicy = authorization, Transforms = transforms,
        };
        return new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), order,
            new EndpointMetadataCollection(new RouteModel(config, null, HttpTransformer.Default)), config.RouteId);
    }

    private static RouteEndpoint Other(string pattern, params object[] metadata) =>
        new(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0, new EndpointMetadataCollection(metadata), pattern);

    private static Endpoint? Match(string path, params Endpoint[] endpoints) =>
        new ProxyRouteTable([new DefaultEndpointDataSource(endpoints)]).Match(path);

    [Theory]
    [InlineData("/")]
    [InlineData("/minions/abc")]
    [InlineData("")]
    public void A_catch_all_route_takes_every_path_but_an_empty_one(string path)
    {
        var all = Proxy("/{**catch-all}");
        Assert.Equal(path.Length == 0 ? null : (Endpoint)all, Match(path, all));
    }

    [Theory]
    [InlineData("/login", "exact")]
    [InlineData("/LOGIN/", "exact")]
    [InlineData("/login/x", "all")]
    [InlineData("/api", "api")]
    [InlineData("/api/", "api")]
    [InlineData("/Api/jobs/1", "jobs")]
    [InlineData("/api/jobs", "jobs")]
    [InlineData("/apix", "all")]
    [InlineData("/loginx", "all")]
    public void An_exact_path_wins_then_the_longest_prefix(string path, string expected)
    {
        var routes = new Dictionary<string, RouteEndpoint>
        {
            ["all"] = Proxy("/{**rest}"),
            ["exact"] = Proxy("/login"),
            ["api"] = Proxy("/api/{**rest}"),
            ["jobs"] = Proxy("/api/jobs/{**rest}"),
        };
        Assert.Same(routes[expected], Match(path, [.. routes.Values]));
    }

    [Fact]
    public void A_lower_order_wins_over_a_more_specific_path()
    {
        var first = Proxy("/{**rest}", order: -1);
        Assert.Same(first, Match("/login", Proxy("/login"), first));
    }

    [Fact]
    public void A_tie_and_empty_segments_go_to_routing()
    {
        Assert.Null(Match("/a", Proxy("/a"), Proxy("/A")));
        Assert.Null(Match("/a//b", Proxy("/{**rest}")));
    }

    [Fact]
    public void A_status_page_path_goes_to_routing_and_admin_endpoints_are_ignored()
    {
        var all = Proxy("/{**rest}");
        Endpoint[] endpoints = [all, Other("/nginx_status"), Other("/metrics", AdminEndpointMetadata.Instance), Other("/maintenance/{state}", ControlEndpointMetadata.Instance)];
        Assert.Null(Match("/nginx_status", endpoints));
        Assert.Same(all, Match("/metrics", endpoints));
    }

    [Fact]
    public void Routes_that_need_routing_turn_the_table_off()
    {
        Assert.Null(Match("/", Proxy("/{**rest}", match: new RouteMatch { Path = "/{**rest}", Hosts = ["salt"] })));
        Assert.Null(Match("/", Proxy("/{**rest}", match: new RouteMatch { Path = "/{**rest}", Methods = ["GET"] })));
        Assert.Null(Match("/", Proxy("/{**rest}", authorization: "default")));
        Assert.Null(Match("/", Proxy("/{**rest}", transforms: [new Dictionary<string, string> { ["PathPattern"] = "/{**rest}" }])));
        Assert.Null(Match("/a/b", Proxy("/{**rest}"), Proxy("/a/{id}")));
        Assert.NotNull(Match("/", Proxy("/{**rest}", transforms: [new Dictionary<string, string> { ["PathRemovePrefix"] = "/api" }])));
    }
}
