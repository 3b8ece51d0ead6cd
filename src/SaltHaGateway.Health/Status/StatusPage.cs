using System.Globalization;
using System.Text;

namespace SaltHaGateway.Health;

/// <summary>
/// Renders the check_status page byte for byte as nginx_upstream_check_module does (html, csv, json),
/// except that the JSON is always valid (a comma only between printed rows, strings escaped), plus
/// Tengine's prometheus format. Filtering keeps each row's global index; counts describe the filtered rows.
/// </summary>
public static class StatusPage
{
    public static string ContentType(StatusFormat format) => format switch
    {
        StatusFormat.Html => "text/html",
        StatusFormat.Json => "application/json",
        _ => "text/plain",
    };

    public static byte[] RenderBytes(StatusSnapshot snapshot, StatusFormat format, StatusFilter filter)
        => Encoding.UTF8.GetBytes(Render(snapshot, format, filter));

    public static string Render(StatusSnapshot snapshot, StatusFormat format, StatusFilter filter)
    {
        var rows = snapshot.Rows.Where(r => filter switch
        {
            StatusFilter.Up => r.IsUp,
            StatusFilter.Down => !r.IsUp,
            _ => true,
        }).ToList();
        var sb = new StringBuilder(256 + rows.Count * 256);
        switch (format)
        {
            case StatusFormat.Csv: Csv(sb, rows); break;
            case StatusFormat.Json: Json(sb, rows, snapshot.Generation); break;
            case StatusFormat.Prometheus: Prometheus(sb, rows, snapshot.Generation); break;
            default: Html(sb, rows, snapshot.Generation); break;
        }
        return sb.ToString();
    }

    private static string Status(StatusRow r) => r.IsUp ? "up" : "down";

    private static void Html(StringBuilder sb, List<StatusRow> rows, long generation)
    {
        // The missing quote after "EN" and the 8 spaces inside <table> are the module's bytes.
        sb.Append("<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\n")
          .Append("\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd\">\n")
          .Append("<html xmlns=\"http://www.w3.org/1999/xhtml\">\n")
          .Append("<head>\n")
          .Append("  <title>Nginx http upstream check status</title>\n")
          .Append("</head>\n")
          .Append("<body>\n")
          .Append("<h1>Nginx http upstream check status</h1>\n")
          .Append(CultureInfo.InvariantCulture, $"<h2>Check upstream server number: {rows.Count}, generation: {generation}</h2>\n")
          .Append("<table style=\"background-color:white\" cellspacing=\"0\"        cellpadding=\"3\" border=\"1\">\n")
          .Append("  <tr bgcolor=\"#C0C0C0\">\n")
          .Append("    <th>Index</th>\n")
          .Append("    <th>Upstream</th>\n")
          .Append("    <th>Name</th>\n")
          .Append("    <th>Status</th>\n")
          .Append("    <th>Rise counts</th>\n")
          .Append("    <th>Fall counts</th>\n")
          .Append("    <th>Check type</th>\n")
          .Append("    <th>Check port</th>\n")
          .Append("  </tr>\n");
        foreach (var r in rows)
        {
            sb.Append(r.IsUp ? "  <tr>\n" : "  <tr bgcolor=\"#FF0000\">\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Index}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Upstream}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Name}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{Status(r)}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Rise}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Fall}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Type}</td>\n")
              .Append(CultureInfo.InvariantCulture, $"    <td>{r.Port}</td>\n")
              .Append("  </tr>\n");
        }
        sb.Append("</table>\n</body>\n</html>\n");
    }

    private static void Csv(StringBuilder sb, List<StatusRow> rows)
    {
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Index},{r.Upstream},{r.Name},{Status(r)},{r.Rise},{r.Fall},{r.Type},{r.Port}\n");
    }

    private static void Json(StringBuilder sb, List<StatusRow> rows, long generation)
    {
        sb.Append("{\"servers\": {\n")
          .Append(CultureInfo.InvariantCulture, $"  \"total\": {rows.Count},\n")
          .Append(CultureInfo.InvariantCulture, $"  \"generation\": {generation},\n")
          .Append("  \"server\": [\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            sb.Append(CultureInfo.InvariantCulture, $"    {{\"index\": {r.Index}, \"upstream\": \"{JsonText(r.Upstream)}\", \"name\": \"{JsonText(r.Name)}\", ")
              .Append(CultureInfo.InvariantCulture, $"\"status\": \"{Status(r)}\", \"rise\": {r.Rise}, \"fall\": {r.Fall}, \"type\": \"{r.Type}\", \"port\": {r.Port}}}")
              .Append(i + 1 < rows.Count ? ",\n" : "\n");
        }
        sb.Append("  ]\n}}\n");
    }

    private static void Prometheus(StringBuilder sb, List<StatusRow> rows, long generation)
    {
        var up = rows.Count(r => r.IsUp);
        sb.Append("# HELP nginx_upstream_count_total Nginx total number of servers\n")
          .Append("# TYPE nginx_upstream_count_total gauge\n")
          .Append(CultureInfo.InvariantCulture, $"nginx_upstream_count_total {rows.Count}\n")
          .Append("# HELP nginx_upstream_count_up Nginx total number of servers that are UP\n")
          .Append("# TYPE nginx_upstream_count_up gauge\n")
          .Append(CultureInfo.InvariantCulture, $"nginx_upstream_count_up {up}\n")
          .Append("# HELP nginx_upstream_count_down Nginx total number of servers that are DOWN\n")
          .Append("# TYPE nginx_upstream_count_down gauge\n")
          .Append(CultureInfo.InvariantCulture, $"nginx_upstream_count_down {rows.Count - up}\n")
          .Append("# HELP nginx_upstream_count_generation Nginx generation\n")
          .Append("# TYPE nginx_upstream_count_generation gauge\n")
          .Append(CultureInfo.InvariantCulture, $"nginx_upstream_count_generation {generation}\n");
        sb.Append("# HELP nginx_upstream_server_rise Nginx rise counter\n")
          .Append("# TYPE nginx_upstream_server_rise counter\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"nginx_upstream_server_rise{{{Labels(r, withStatus: true)}}} {r.Rise}\n");
        sb.Append("# HELP nginx_upstream_server_fall Nginx fall counter\n")
          .Append("# TYPE nginx_upstream_server_fall counter\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"nginx_upstream_server_fall{{{Labels(r, withStatus: true)}}} {r.Fall}\n");
        sb.Append("# HELP nginx_upstream_server_active Nginx active 1 for UP / 0 for DOWN\n")
          .Append("# TYPE nginx_upstream_server_active gauge\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"nginx_upstream_server_active{{{Labels(r, withStatus: false)}}} {(r.IsUp ? 1 : 0)}\n");
    }

    private static string Labels(StatusRow r, bool withStatus)
    {
        var status = withStatus ? $",status=\"{Status(r)}\"" : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"index=\"{r.Index}\",upstream=\"{LabelText(r.Upstream)}\",name=\"{LabelText(r.Name)}\"{status},type=\"{r.Type}\",port=\"{r.Port}\"");
    }

    private static string JsonText(string s)
    {
        if (!s.Any(c => c is '"' or '\\' || c < ' ')) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c is '"' or '\\') sb.Append('\\').Append(c);
            else if (c < ' ') sb.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            else sb.Append(c);
        }
        return sb.ToString();
    }

    private static string LabelText(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");
}
