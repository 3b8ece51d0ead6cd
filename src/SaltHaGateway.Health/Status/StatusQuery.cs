namespace SaltHaGateway.Health;

public enum StatusFormat
{
    Html,
    Csv,
    Json,
    /// <summary>Tengine's text exposition of the same rows.</summary>
    Prometheus,
}

public enum StatusFilter
{
    All,
    Up,
    Down,
}

/// <summary>
/// The status page's query arguments, read the way nginx's ngx_http_arg does: argument names are
/// case-insensitive, the first occurrence wins, a name counts only at the start or after '&amp;', values are
/// not URL-decoded. format= is case-sensitive (html, csv, json, prometheus); status= (up, down) is not.
/// A bad value is reported and ignored.
/// </summary>
public sealed record StatusQuery(StatusFormat? Format, StatusFilter Filter, IReadOnlyList<string> BadValues)
{
    public static StatusQuery Parse(string? rawQuery)
    {
        var query = rawQuery is { Length: > 0 } && rawQuery[0] == '?' ? rawQuery[1..] : rawQuery ?? "";
        var bad = new List<string>();
        StatusFormat? format = null;
        var filter = StatusFilter.All;

        if (Arg(query, "format") is { } f)
        {
            format = f switch
            {
                "html" => StatusFormat.Html,
                "csv" => StatusFormat.Csv,
                "json" => StatusFormat.Json,
                "prometheus" => StatusFormat.Prometheus,
                _ => null,
            };
            if (format is null) bad.Add(f);
        }
        if (Arg(query, "status") is { } s)
        {
            if (s.Equals("down", StringComparison.OrdinalIgnoreCase)) filter = StatusFilter.Down;
            else if (s.Equals("up", StringComparison.OrdinalIgnoreCase)) filter = StatusFilter.Up;
            else bad.Add(s);
        }
        return new StatusQuery(format, filter, bad);
    }

    /// <summary>nginx's ngx_http_arg.</summary>
    internal static string? Arg(string query, string name)
    {
        for (var p = 0; p + name.Length < query.Length; p++)
        {
            p = query.IndexOf(name, p, StringComparison.OrdinalIgnoreCase);
            if (p < 0 || p + name.Length >= query.Length) return null;
            if ((p == 0 || query[p - 1] == '&') && query[p + name.Length] == '=')
            {
                var start = p + name.Length + 1;
                var end = query.IndexOf('&', start);
                return end < 0 ? query[start..] : query[start..end];
            }
        }
        return null;
    }
}
