namespace SaltHaGateway.Health;

/// <summary>The check_http_expect_alive mask: which status-line classes count as alive.</summary>
[Flags]
public enum HttpStatusClasses
{
    None = 0,
    Http1xx = 1,
    Http2xx = 2,
    Http3xx = 4,
    Http4xx = 8,
    Http5xx = 16,
}

public static class HttpStatusClassesParser
{
    public const HttpStatusClasses Default = HttpStatusClasses.Http2xx | HttpStatusClasses.Http3xx;

    /// <summary>
    /// Parses a whitespace-separated list such as "http_2xx http_3xx". The list replaces the default
    /// (the module starts from an empty mask); values are case-insensitive, a repeat is harmless and an
    /// unknown value is an error. http_1xx is Tengine's addition.
    /// </summary>
    public static bool TryParse(string text, out HttpStatusClasses mask, out string? error)
    {
        mask = HttpStatusClasses.None;
        error = null;
        foreach (var token in text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var bit = token.ToLowerInvariant() switch
            {
                "http_1xx" => HttpStatusClasses.Http1xx,
                "http_2xx" => HttpStatusClasses.Http2xx,
                "http_3xx" => HttpStatusClasses.Http3xx,
                "http_4xx" => HttpStatusClasses.Http4xx,
                "http_5xx" => HttpStatusClasses.Http5xx,
                _ => HttpStatusClasses.None,
            };
            if (bit == HttpStatusClasses.None)
            {
                error = $"invalid value \"{token}\" in check_http_expect_alive (expected http_1xx, http_2xx, http_3xx, http_4xx or http_5xx)";
                return false;
            }
            mask |= bit;
        }
        if (mask == HttpStatusClasses.None)
        {
            error = "check_http_expect_alive needs at least one of http_1xx, http_2xx, http_3xx, http_4xx, http_5xx";
            return false;
        }
        return true;
    }

    /// <summary>True when <paramref name="code"/> is a valid status (100–599) whose class is in the mask.</summary>
    public static bool Accepts(this HttpStatusClasses mask, int code)
    {
        if (code is < 100 or > 599) return false;
        var bit = (HttpStatusClasses)(1 << (code / 100 - 1));
        return (mask & bit) != 0;
    }
}
