namespace SaltHaGateway.Health.Tests.Checks;

public sealed class CheckSpecTests
{
    private static CheckSpec Parse(string line, string? send = null, string? expect = null, string? keepalive = null)
    {
        Assert.True(CheckSpec.TryParse(line, send, expect, keepalive, out var spec, out var errors), string.Join("; ", errors));
        return spec!;
    }

    private static string Reject(string line, string? send = null, string? expect = null, string? keepalive = null)
    {
        Assert.False(CheckSpec.TryParse(line, send, expect, keepalive, out var spec, out var errors));
        Assert.Null(spec);
        return Assert.Single(errors);
    }

    [Fact]
    public void Act2_line_parses_to_the_module_values()
    {
        var spec = Parse("interval=3000 rise=2 fall=5 timeout=1000 type=tcp");
        Assert.Equal(CheckType.Tcp, spec.Type);
        Assert.Equal(TimeSpan.FromSeconds(3), spec.Interval);
        Assert.Equal(2, spec.Rise);
        Assert.Equal(5, spec.Fall);
        Assert.Equal(TimeSpan.FromSeconds(1), spec.Timeout);
        Assert.True(spec.DefaultDown);
        Assert.Equal(0, spec.Port);
        Assert.Equal("", spec.HttpSend);
    }

    [Fact]
    public void Missing_parameters_take_the_module_defaults()
    {
        var spec = Parse("");
        Assert.Equal(TimeSpan.FromMilliseconds(30000), spec.Interval);
        Assert.Equal(5, spec.Fall);
        Assert.Equal(2, spec.Rise);
        Assert.Equal(TimeSpan.FromMilliseconds(1000), spec.Timeout);
        Assert.True(spec.DefaultDown);
        Assert.Equal(CheckType.Tcp, spec.Type);
        Assert.Equal(1, spec.KeepaliveRequests);
        Assert.Equal(HttpStatusClasses.Http2xx | HttpStatusClasses.Http3xx, spec.ExpectAlive);
    }

    [Theory]
    [InlineData("interval=0")]
    [InlineData("interval=3s")]
    [InlineData("interval=-5")]
    [InlineData("interval=")]
    [InlineData("timeout=0")]
    [InlineData("timeout=1.5")]
    [InlineData("rise=0")]
    [InlineData("fall=0")]
    [InlineData("fall=x")]
    [InlineData("port=0")]
    [InlineData("port=70000")]
    [InlineData("default_down=yes")]
    [InlineData("type=TCP")]
    [InlineData("type=udp")]
    [InlineData("type=mysql")]
    [InlineData("intervals=3000")]
    [InlineData("interval")]
    [InlineData("interval=99999999999")]
    public void Rejects_what_the_module_rejects(string line)
    {
        var error = Reject(line);
        Assert.Contains(line.Split('=')[0], error);
    }

    [Fact]
    public void Repeated_parameter_keeps_the_last_value_and_booleans_ignore_case()
    {
        var spec = Parse("interval=1000 interval=2000 default_down=FALSE port=8081 type=http");
        Assert.Equal(TimeSpan.FromSeconds(2), spec.Interval);
        Assert.False(spec.DefaultDown);
        Assert.Equal(8081, spec.Port);
    }

    [Fact]
    public void Every_bad_token_is_reported()
    {
        Assert.False(CheckSpec.TryParse("interval=0 rise=x type=tcp", null, null, null, out _, out var errors));
        Assert.Equal(2, errors.Count);
    }

    [Fact]
    public void Http_send_defaults_for_http_and_expands_nginx_escapes()
    {
        Assert.Equal("GET / HTTP/1.0\r\n\r\n", Parse("type=http").HttpSend);
        Assert.Equal("GET / HTTP/1.0\r\n\r\n", Parse("type=http", send: "").HttpSend);
        Assert.Equal("HEAD /ping HTTP/1.1\r\nHost: a\r\n\r\n", Parse("type=https", send: @"HEAD /ping HTTP/1.1\r\nHost: a\r\n\r\n").HttpSend);
        Assert.Equal("", Parse("type=tcp", send: @"GET / HTTP/1.0\r\n\r\n").HttpSend);
    }

    [Fact]
    public void Expect_alive_replaces_the_default_and_rejects_unknown_values()
    {
        Assert.Equal(HttpStatusClasses.Http4xx, Parse("type=http", expect: "HTTP_4XX").ExpectAlive);
        Assert.Equal(HttpStatusClasses.Http2xx, Parse("type=http", expect: "http_2xx http_2xx").ExpectAlive);
        Assert.Contains("http_6xx", Reject("type=http", expect: "http_2xx http_6xx"));
    }

    [Fact]
    public void Keepalive_requests_is_validated()
    {
        Assert.Equal(3, Parse("type=http", keepalive: "3").KeepaliveRequests);
        Assert.Contains("check_keepalive_requests", Reject("type=http", keepalive: "many"));
    }

    [Fact]
    public void Tls_verify_needs_https()
    {
        Assert.True(Parse("type=https ssl_verify=true").TlsVerify);
        Assert.Contains("https", Reject("type=http ssl_verify=true"));
    }

    [Fact]
    public void Specs_compare_by_value()
    {
        Assert.Equal(Parse("interval=3000 type=tcp"), Parse("type=tcp interval=3000"));
        Assert.NotEqual(Parse("interval=3000"), Parse("interval=3001"));
    }

    [Theory]
    [InlineData(@"a\tb", "a\tb")]
    [InlineData(@"q\""x\'\\", "q\"x'\\")]
    [InlineData(@"keep\x", @"keep\x")]
    [InlineData(@"end\", @"end\")]
    public void Nginx_escapes(string input, string expected) => Assert.Equal(expected, NginxString.Unescape(input));

    [Theory]
    [InlineData(200, true)]
    [InlineData(302, true)]
    [InlineData(101, false)]
    [InlineData(404, false)]
    [InlineData(500, false)]
    [InlineData(600, false)]
    [InlineData(99, false)]
    public void Default_mask_accepts_2xx_and_3xx(int code, bool alive) => Assert.Equal(alive, HttpStatusClassesParser.Default.Accepts(code));
}
