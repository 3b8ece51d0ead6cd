namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// nginx time values (ngx_parse_time): parts such as "1h 30m" or "500ms", units y M w d h m s ms, each at most
/// once and largest first; a bare number (also one trailing other parts) is seconds. Second-resolution directives (fail_timeout) reject "ms".
/// </summary>
public static class NginxTime
{
    private static readonly (string Unit, long Ms)[] Units =
    [
        ("y", 365L * 24 * 3600 * 1000), ("M", 30L * 24 * 3600 * 1000), ("w", 7L * 24 * 3600 * 1000),
        ("d", 24L * 3600 * 1000), ("h", 3600L * 1000), ("ms", 1), ("m", 60L * 1000), ("s", 1000),
    ];

    // Order in which units may follow each other (largest first).
    private static int Rank(string unit) => unit switch
    {
        "y" => 0, "M" => 1, "w" => 2, "d" => 3, "h" => 4, "m" => 5, "s" => 6, _ => 7,
    };

    public static bool TryParse(string text, bool secondsResolution, out long milliseconds)
    {
        milliseconds = 0;
        var total = 0L;
        var lastRank = -1;
        var i = 0;
        var any = false;
        while (i < text.Length)
        {
            var start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i]))
            {
                i++;
            }

            if (i == start || !NginxNumber.TryParse(text[start..i], out var value))
            {
                return false;
            }

            any = true;
            string unit;
            if (i == text.Length)
            {
                // nginx adds a trailing bare number as seconds whatever came before ("1m30", even "1s500").
                if (value > (long.MaxValue - total) / 1000)
                {
                    return false;
                }

                total += value * 1000;
                break;
            }
            else
            {
                var match = Units.FirstOrDefault(u => string.CompareOrdinal(text, i, u.Unit, 0, u.Unit.Length) == 0);
                if (match.Unit is null)
                {
                    return false;
                }

                unit = match.Unit;
                i += unit.Length;
            }

            if (Rank(unit) <= lastRank || (secondsResolution && unit == "ms"))
            {
                return false;
            }

            lastRank = Rank(unit);
            var scale = Units.First(u => u.Unit == unit).Ms;
            if (value > (long.MaxValue - total) / scale)
            {
                return false;
            }

            total += value * scale;
            while (i < text.Length && text[i] == ' ')
            {
                i++;
            }
        }

        milliseconds = total;
        return any;
    }

    /// <summary>The shortest exact form in the units the gateway reads: h, m, s or ms.</summary>
    public static string Format(long milliseconds)
    {
        if (milliseconds == 0)
        {
            return "0";
        }

        if (milliseconds % 3_600_000 == 0)
        {
            return $"{milliseconds / 3_600_000}h";
        }

        if (milliseconds % 60_000 == 0)
        {
            return $"{milliseconds / 60_000}m";
        }

        return milliseconds % 1000 == 0 ? $"{milliseconds / 1000}s" : $"{milliseconds}ms";
    }
}
