using System.Globalization;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// Parses values written the way nginx writes them, so operators can copy them from their nginx config:
/// times (<c>500ms</c>, <c>10s</c>, <c>1m</c>, <c>1h</c>, <c>1d</c>; a bare number is seconds) and sizes
/// (<c>1m</c>, <c>512k</c>, <c>1g</c>; a bare number is bytes).
/// </summary>
public static class NginxValue
{
    public static bool TryParseTime(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (TimeSpan.TryParseExact(s, @"hh\:mm\:ss", CultureInfo.InvariantCulture, out value)
            || (s.Contains(':') && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value)))
            return value >= TimeSpan.Zero;

        // nginx allows several parts, e.g. "1m30s"; each part is a number followed by a unit.
        double totalMs = 0;
        var i = 0;
        while (i < s.Length)
        {
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == start) return false;
            var number = long.Parse(s.AsSpan(start, i - start), CultureInfo.InvariantCulture);
            var unitStart = i;
            while (i < s.Length && char.IsAsciiLetter(s[i])) i++;
            var unit = s[unitStart..i];
            double factor = unit switch
            {
                "" or "s" => 1000,
                "ms" => 1,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                "w" => 604_800_000,
                "M" => 2_592_000_000,
                "y" => 31_536_000_000,
                _ => -1,
            };
            if (factor < 0 || (unit == "" && i < s.Length)) return false;
            totalMs += number * factor;
        }
        if (totalMs > TimeSpan.MaxValue.TotalMilliseconds) return false;
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        long factor = 1;
        var last = s[^1];
        if (char.IsAsciiLetter(last))
        {
            factor = char.ToLowerInvariant(last) switch { 'k' => 1024, 'm' => 1024 * 1024, 'g' => 1024L * 1024 * 1024, _ => 0 };
            if (factor == 0) return false;
            s = s[..^1];
        }
        if (s.Length == 0 || !s.All(char.IsAsciiDigit)) return false;
        if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) return false;
        if (n > long.MaxValue / factor) return false;
        bytes = n * factor;
        return true;
    }

    public static bool TryParseBool(string? text, out bool value)
    {
        value = false;
        switch (text?.Trim().ToLowerInvariant())
        {
            case "true" or "on" or "yes" or "1": value = true; return true;
            case "false" or "off" or "no" or "0": return true;
            default: return false;
        }
    }
}
