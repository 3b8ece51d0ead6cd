using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace SaltHaGateway.Health.Tests.Status;

/// <summary>Golden bytes from the reference note, §3 (act2, .20 down, generation 1).</summary>
public sealed class StatusPageTests
{
    private static readonly StatusSnapshot Act2 = new(1,
    [
        new StatusRow(0, "act2", "192.168.1.19:6868", true, 1234, 0, "tcp", 0),
        new StatusRow(1, "act2", "192.168.1.20:6868", false, 0, 17, "tcp", 0),
    ]);

    internal const string GoldenJson =
        "{\"servers\": {\n" +
        "  \"total\": 2,\n" +
        "  \"generation\": 1,\n" +
        "  \"server\": [\n" +
        "    {\"index\": 0, \"upstream\": \"act2\", \"name\": \"192.168.1.19:6868\", \"status\": \"up\", \"rise\": 1234, \"fall\": 0, \"type\": \"tcp\", \"port\": 0},\n" +
        "    {\"index\": 1, \"upstream\": \"act2\", \"name\": \"192.168.1.20:6868\", \"status\": \"down\", \"rise\": 0, \"fall\": 17, \"type\": \"tcp\", \"port\": 0}\n" +
        "  ]\n" +
        "}}\n";

    private const string GoldenCsv =
        "0,act2,192.168.1.19:6868,up,1234,0,tcp,0\n" +
        "1,act2,192.168.1.20:6868,down,0,17,tcp,0\n";

    private const string GoldenHtml =
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\n" +
        "\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n" +
        "<html xmlns=\"http://www.w3.org/1999/xhtml\">\n" +
        "<head>\n" +
        "  <title>Nginx http upstream check status</title>\n" +
        "</head>\n" +
        "<body>\n" +
        "<h1>Nginx http upstream check status</h1>\n" +
        "<h2>Check upstream server number: 2, generation: 1</h2>\n" +
        "<table style=\"background-color:white\" cellspacing=\"0\"        cellpadding=\"3\" border=\"1\">\n" +
        "  <tr bgcolor=\"#C0C0C0\">\n" +
        "    <th>Index</th>\n" +
        "    <th>Upstream</th>\n" +
        "    <th>Name</th>\n" +
        "    <th>Status</th>\n" +
        "    <th>Rise counts</th>\n" +
        "    <th>Fall counts</th>\n" +
        "    <th>Check type</th>\n" +
        "    <th>Check port</th>\n" +
        "  </tr>\n" +
        "  <tr>\n" +
        "    <td>0</td>\n" +
        "    <td>act2</td>\n" +
        "    <td>192.168.1.19:6868</td>\n" +
        "    <td>up</td>\n" +
        "    <td>1234</td>\n" +
        "    <td>0</td>\n" +
        "    <td>tcp</td>\n" +
        "    <td>0</td>\n" +
        "  </tr>\n" +
        "  <tr bgcolor=\"#FF0000\">\n" +
        "    <td>1</td>\n" +
        "    <td>act2</td>\n" +
        "    <td>192.168.1.20:6868</td>\n" +
        "    <td>down</td>\n" +
        "    <td>0</td>\n" +
        "    <td>17</td>\n" +
        "    <td>tcp</td>\n" +
        "    <td>0</td>\n" +
        "  </tr>\n" +
        "</table>\n" +
        "</body>\n" +
        "</html>\n";

    [Fact]
    public void Json_is_the_golden_sample_byte_for_byte()
    {
        var bytes = StatusPage.RenderBytes(Act2, StatusFormat.Json, StatusFilter.All);
        Assert.Equal(335, bytes.Length);
        Assert.StartsWith("83330ef0f1958e79", Convert.ToHexStringLower(SHA256.HashData(bytes)));
        Assert.Equal(GoldenJson, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Csv_is_the_golden_sample_byte_for_byte()
    {
        var bytes = StatusPage.RenderBytes(Act2, StatusFormat.Csv, StatusFilter.All);
        Assert.Equal(82, bytes.Length);
        Assert.Equal(GoldenCsv, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Html_is_the_golden_sample_byte_for_byte()
    {
        var bytes = StatusPage.RenderBytes(Act2, StatusFormat.Html, StatusFilter.All);
        Assert.Equal(985, bytes.Length);
        Assert.Equal(GoldenHtml, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public void Filtering_up_keeps_the_global_index_and_stays_valid_json()
    {
        var json = StatusPage.Render(Act2, StatusFormat.Json, StatusFilter.Up);
        // The module would print a trailing comma here (the last configured peer is filtered out).
        Assert.Equal(
            "{\"servers\": {\n  \"total\": 1,\n  \"generation\": 1,\n  \"server\": [\n" +
            "    {\"index\": 0, \"upstream\": \"act2\", \"name\": \"192.168.1.19:6868\", \"status\": \"up\", \"rise\": 1234, \"fall\": 0, \"type\": \"tcp\", \"port\": 0}\n" +
            "  ]\n}}\n", json);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(1, doc.RootElement.GetProperty("servers").GetProperty("total").GetInt32());
    }

    [Fact]
    public void Filtering_down_keeps_the_global_index_in_every_format()
    {
        Assert.Equal("1,act2,192.168.1.20:6868,down,0,17,tcp,0\n", StatusPage.Render(Act2, StatusFormat.Csv, StatusFilter.Down));
        var html = StatusPage.Render(Act2, StatusFormat.Html, StatusFilter.Down);
        Assert.Contains("<h2>Check upstream server number: 1, generation: 1</h2>", html);
        Assert.Contains("    <td>1</td>\n", html);
        Assert.DoesNotContain("192.168.1.19", html);
        var json = StatusPage.Render(Act2, StatusFormat.Json, StatusFilter.Down);
        Assert.Contains("{\"index\": 1,", json);
        JsonDocument.Parse(json).Dispose();
    }

    [Fact]
    public void Empty_selection_gives_an_empty_csv_and_a_valid_json()
    {
        var none = new StatusSnapshot(3, [new StatusRow(0, "act2", "a:1", true, 1, 0, "tcp", 0)]);
        Assert.Equal("", StatusPage.Render(none, StatusFormat.Csv, StatusFilter.Down));
        using var doc = JsonDocument.Parse(StatusPage.Render(none, StatusFormat.Json, StatusFilter.Down));
        Assert.Equal(0, doc.RootElement.GetProperty("servers").GetProperty("server").GetArrayLength());
        Assert.Equal(3, doc.RootElement.GetProperty("servers").GetProperty("generation").GetInt32());
    }

    [Fact]
    public void Json_escapes_what_would_break_it()
    {
        var odd = new StatusSnapshot(1, [new StatusRow(0, "a\"b", "x\\y", true, 1, 0, "tcp", 0)]);
        using var doc = JsonDocument.Parse(StatusPage.Render(odd, StatusFormat.Json, StatusFilter.All));
        var row = doc.RootElement.GetProperty("servers").GetProperty("server")[0];
        Assert.Equal("a\"b", row.GetProperty("upstream").GetString());
        Assert.Equal("x\\y", row.GetProperty("name").GetString());
    }

    [Fact]
    public void Prometheus_matches_tengine()
    {
        var text = StatusPage.Render(Act2, StatusFormat.Prometheus, StatusFilter.All);
        Assert.Equal(
            "# HELP nginx_upstream_count_total Nginx total number of servers\n" +
            "# TYPE nginx_upstream_count_total gauge\n" +
            "nginx_upstream_count_total 2\n" +
            "# HELP nginx_upstream_count_up Nginx total number of servers that are UP\n" +
            "# TYPE nginx_upstream_count_up gauge\n" +
            "nginx_upstream_count_up 1\n" +
            "# HELP nginx_upstream_count_down Nginx total number of servers that are DOWN\n" +
            "# TYPE nginx_upstream_count_down gauge\n" +
            "nginx_upstream_count_down 1\n" +
            "# HELP nginx_upstream_count_generation Nginx generation\n" +
            "# TYPE nginx_upstream_count_generation gauge\n" +
            "nginx_upstream_count_generation 1\n" +
            "# HELP nginx_upstream_server_rise Nginx rise counter\n" +
            "# TYPE nginx_upstream_server_rise counter\n" +
            "nginx_upstream_server_rise{index=\"0\",upstream=\"act2\",name=\"192.168.1.19:6868\",status=\"up\",type=\"tcp\",port=\"0\"} 1234\n" +
            "nginx_upstream_server_rise{index=\"1\",upstream=\"act2\",name=\"192.168.1.20:6868\",status=\"down\",type=\"tcp\",port=\"0\"} 0\n" +
            "# HELP nginx_upstream_server_fall Nginx fall counter\n" +
            "# TYPE nginx_upstream_server_fall counter\n" +
            "nginx_upstream_server_fall{index=\"0\",upstream=\"act2\",name=\"192.168.1.19:6868\",status=\"up\",type=\"tcp\",port=\"0\"} 0\n" +
            "nginx_upstream_server_fall{index=\"1\",upstream=\"act2\",name=\"192.168.1.20:6868\",status=\"down\",type=\"tcp\",port=\"0\"} 17\n" +
            "# HELP nginx_upstream_server_active Nginx active 1 for UP / 0 for DOWN\n" +
            "# TYPE nginx_upstream_server_active gauge\n" +
            "nginx_upstream_server_active{index=\"0\",upstream=\"act2\",name=\"192.168.1.19:6868\",type=\"tcp\",port=\"0\"} 1\n" +
            "nginx_upstream_server_active{index=\"1\",upstream=\"act2\",name=\"192.168.1.20:6868\",type=\"tcp\",port=\"0\"} 0\n",
            text);
    }

    [Theory]
    [InlineData(StatusFormat.Html, "text/html")]
    [InlineData(StatusFormat.Csv, "text/plain")]
    [InlineData(StatusFormat.Json, "application/json")]
    [InlineData(StatusFormat.Prometheus, "text/plain")]
    public void Content_types_as_the_module(StatusFormat format, string type) => Assert.Equal(type, StatusPage.ContentType(format));
}
