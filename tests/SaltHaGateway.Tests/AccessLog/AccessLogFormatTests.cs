using System.Text.Json;
using Microsoft.AspNetCore.Http;
using SaltHaGateway.AccessLog;

namespace SaltHaGateway.Tests.AccessLog;

public sealed class AccessLogFormatTests
{
    private static HttpContext Request()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("::ffff:10.1.2.3");
        context.Request.Method = "POST";
        context.Request.Path = "/run";
        context.Request.QueryString = new QueryString("?client=local");
        context.Request.Protocol = "HTTP/1.1";
        context.Request.Headers.UserAgent = "salt-api \"client\"";
        context.Response.StatusCode = 200;
        return context;
    }

    [Fact]
    public void Combined_matches_nginx_byte_for_byte()
    {
        var now = new DateTimeOffset(2026, 11, 26, 5, 12, 1, TimeSpan.FromHours(1));
        Assert.Equal("10.1.2.3 - - [26/Nov/2026:05:12:01 +0100] \"POST /run?client=local HTTP/1.1\" 200 512 \"-\" \"salt-api \\x22client\\x22\"",
            AccessLogMiddleware.Combined(Request(), 512, now));
    }

    [Fact]
    public void Json_lines_are_valid_json_with_the_request_fields()
    {
        var line = AccessLogMiddleware.Json(Request(), 512, TimeSpan.FromMilliseconds(1234), DateTimeOffset.UnixEpoch);
        using var doc = JsonDocument.Parse(line);
        Assert.Equal("10.1.2.3", doc.RootElement.GetProperty("remote_addr").GetString());
        Assert.Equal(200, doc.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(1.234, doc.RootElement.GetProperty("request_time").GetDouble());
        Assert.DoesNotContain('\n', line);
    }
}
