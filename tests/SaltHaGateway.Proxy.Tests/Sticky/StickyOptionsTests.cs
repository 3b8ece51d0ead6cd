using SaltHaGateway.Proxy.Sticky;

namespace SaltHaGateway.Proxy.Tests.Sticky;

public class StickyOptionsTests
{
    [Fact]
    public void Learn_directive_of_the_salt_api_setup_parses()
    {
        Assert.True(StickyOptions.TryParse(
            "learn create=$upstream_http_x_auth_token create=$upstream_cookie_session_id lookup=$http_x_auth_token lookup=$cookie_session_id zone=saltapi:1m timeout=10h header sync",
            out var o, out var error), error);
        Assert.Equal(StickyMode.Learn, o!.Mode);
        Assert.Equal([new StickySource(StickySourceKind.ResponseHeader, "x-auth-token", "$upstream_http_x_auth_token"),
                      new StickySource(StickySourceKind.ResponseCookie, "session_id", "$upstream_cookie_session_id")], o.Create);
        Assert.Equal([StickySourceKind.RequestHeader, StickySourceKind.RequestCookie], o.Lookup.Select(l => l.Kind));
        Assert.Equal("saltapi", o.Zone);
        Assert.Equal(4096, o.Capacity); // 1 MiB at nginx's ~4000 sessions per megabyte
        Assert.Equal(TimeSpan.FromHours(10), o.Timeout);
        Assert.True(o.AtHeader);
        Assert.True(o.Sync);
    }

    [Fact]
    public void Learn_defaults_as_nginx()
    {
        Assert.True(StickyOptions.TryParse("learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=z:64k", out var o, out _));
        Assert.Equal(TimeSpan.FromMinutes(10), o!.Timeout);
        Assert.False(o.AtHeader);
        Assert.False(o.Sync);
    }

    [Theory]
    [InlineData("learn lookup=$http_x zone=z:1m", "\"create\" is missing")]
    [InlineData("learn create=$upstream_http_x zone=z:1m", "\"lookup\" is missing")]
    [InlineData("learn create=$upstream_http_x lookup=$http_x", "\"zone\" is missing")]
    [InlineData("learn create=$upstream_http_x lookup=$http_x zone=z", "invalid zone \"z\"")]
    [InlineData("learn create=$http_x lookup=$http_x zone=z:1m", "cannot create a session")]
    [InlineData("learn create=$upstream_http_x lookup=$upstream_http_x zone=z:1m", "cannot look up a session")]
    [InlineData("learn create=$upstream_http_x lookup=$http_x zone=z:1m timeout=soon", "invalid timeout")]
    [InlineData("learn create=$upstream_http_x lookup=$http_x zone=z:1m fast", "invalid parameter \"fast\"")]
    [InlineData("route $route_cookie", "not supported")]
    [InlineData("cookie", "cookie name is missing")]
    [InlineData("cookie srv samesite=maybe", "invalid samesite")]
    [InlineData("", "empty")]
    public void Bad_directives_say_what_is_wrong(string text, string expected)
    {
        Assert.False(StickyOptions.TryParse(text, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Cookie_directive_parses()
    {
        Assert.True(StickyOptions.TryParse("cookie srv_id expires=1h domain=.example.com path=/ httponly secure samesite=lax", out var o, out var e), e);
        Assert.Equal(StickyMode.Cookie, o!.Mode);
        Assert.Equal("srv_id", o.CookieName);
        Assert.Equal(TimeSpan.FromHours(1), o.CookieExpires);
        Assert.Equal(".example.com", o.CookieDomain);
        Assert.Equal("/", o.CookiePath);
        Assert.True(o.CookieHttpOnly && o.CookieSecure);
        Assert.Equal("Lax", o.CookieSameSite);
    }

    [Fact]
    public void Options_are_equal_when_the_directive_is()
    {
        StickyOptions.TryParse("learn create=$upstream_http_x lookup=$http_x zone=z:1m", out var a, out _);
        StickyOptions.TryParse("learn create=$upstream_http_x lookup=$http_x zone=z:1m", out var b, out _);
        Assert.Equal(a, b);
    }
}
