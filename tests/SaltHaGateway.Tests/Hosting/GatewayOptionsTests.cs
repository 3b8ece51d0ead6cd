using Microsoft.Extensions.Configuration;
using SaltHaGateway.Hosting;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Tests.Hosting;

public sealed class GatewayOptionsTests
{
    private static (GatewayOptions? Options, List<ConfigError> Errors) Parse(params (string Key, string Value)[] values)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build();
        var errors = new List<ConfigError>();
        return (GatewayOptions.Parse(configuration, errors), errors);
    }

    [Fact]
    public void Defaults_are_port_80_and_a_loopback_admin_listener()
    {
        var (options, errors) = Parse();
        Assert.Empty(errors);
        Assert.Equal("http://*:80", Assert.Single(options!.Listen).Url);
        Assert.True(options.AdminListen.IsLoopback);
        Assert.Equal(AccessLogFormat.Combined, options.AccessLogFormat);
    }

    [Fact]
    public void Admin_port_may_not_be_a_proxy_port()
    {
        var (_, errors) = Parse(("Gateway:Listen:0", "http://*:9000"), ("Gateway:Admin:Listen", "http://127.0.0.1:9000"));
        Assert.Equal("Gateway:Admin:Listen", Assert.Single(errors).Path);
    }

    [Fact]
    public void Listen_must_be_an_array()
    {
        var (_, errors) = Parse(("Gateway:Listen", "http://*:80"));
        Assert.Contains("must be an array", Assert.Single(errors).Message);
    }

    [Fact]
    public void Unknown_keys_and_bad_values_are_named()
    {
        var (_, errors) = Parse(("Gateway:Lisen:0", "x"), ("Gateway:AccessLog:Format", "main"), ("Gateway:Log:Level", "loud"));
        Assert.Equal(["Gateway:AccessLog:Format", "Gateway:Lisen", "Gateway:Log:Level"], errors.Select(e => e.Path).Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData(null, 60_000)]
    [InlineData("10s", 10_000)]
    [InlineData("1m30s", 90_000)]
    [InlineData("00:00:05", 5_000)]
    public void Client_header_timeout_is_read_as_nginx_writes_it(string? value, int milliseconds)
    {
        var (options, errors) = value is null ? Parse() : Parse(("Gateway:ClientHeaderTimeout", value));
        Assert.Empty(errors);
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), options!.ClientHeaderTimeout);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("soon")]
    public void Client_header_timeout_must_be_a_time_above_zero(string value)
    {
        var (_, errors) = Parse(("Gateway:ClientHeaderTimeout", value));
        Assert.Contains("not a time above zero", Assert.Single(errors, e => e.Path == "Gateway:ClientHeaderTimeout").Message);
    }

    [Fact]
    public void State_directory_and_control_socket_default_to_the_system_locations()
    {
        var (options, errors) = Parse();
        Assert.Empty(errors);
        Assert.Equal("/var/lib/salt-ha-gateway", options!.StateDirectory);
        Assert.Equal("/run/salt-ha-gateway/control.sock", options.ControlSocket);
    }

    [Theory]
    [InlineData("Gateway:StateDirectory", "state", "Gateway:StateDirectory", "not an absolute path")]
    [InlineData("Gateway:Control:Socket", "control.sock", "Gateway:Control:Socket", "not an absolute path")]
    [InlineData("Gateway:Control:Mode", "0666", "Gateway:Control:Mode", "unknown key; expected Socket")]
    public void Bad_state_and_control_keys_are_named(string key, string value, string path, string message)
    {
        var (_, errors) = Parse((key, value));
        var error = Assert.Single(errors);
        Assert.Equal(path, error.Path);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void A_control_socket_path_longer_than_a_unix_socket_can_hold_is_refused()
    {
        var (_, errors) = Parse(("Gateway:Control:Socket", "/run/" + new string('x', 103)));
        Assert.Contains("107 bytes", Assert.Single(errors).Message);
        var (_, fits) = Parse(("Gateway:Control:Socket", "/run/" + new string('x', 102)));
        Assert.Empty(fits);
    }
}
