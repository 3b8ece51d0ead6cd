using System.Text;

namespace SaltHaGateway.Health.Tests.Probing;

public sealed class HttpStatusLineTests
{
    private static (HttpStatusLine.Parse, int) P(string s, bool complete = false)
    {
        var r = HttpStatusLine.TryParse(Encoding.ASCII.GetBytes(s), complete, out var status);
        return (r, status);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\n", 200)]
    [InlineData("HTTP/1.0 500 Internal Server Error\r\nX: y\r\n\r\n", 500)]
    [InlineData("HTTP/1.1 204\r\n", 204)]
    [InlineData("HTTP/2.0 301 Moved\n", 301)]
    public void Reads_the_status_code(string data, int code) => Assert.Equal((HttpStatusLine.Parse.Ok, code), P(data));

    [Theory]
    [InlineData("")]
    [InlineData("HTT")]
    [InlineData("HTTP/1.1 20")]
    public void Needs_more_bytes_for_a_partial_line(string data) => Assert.Equal(HttpStatusLine.Parse.NeedMore, P(data).Item1);

    [Theory]
    [InlineData("SSH-2.0-OpenSSH\r\n")]
    [InlineData("HTTP/1.1 2000 OK\r\n")]
    [InlineData("HTTP/x 200 OK\r\n")]
    [InlineData("HT\r\n")]
    public void Rejects_what_is_not_a_status_line(string data) => Assert.Equal(HttpStatusLine.Parse.Invalid, P(data).Item1);

    [Fact]
    public void A_closed_connection_without_a_full_line_is_invalid_unless_the_code_is_there()
    {
        Assert.Equal(HttpStatusLine.Parse.Invalid, P("HTTP/1.1 2", complete: true).Item1);
        Assert.Equal((HttpStatusLine.Parse.Ok, 200), P("HTTP/1.1 200", complete: true));
    }
}
