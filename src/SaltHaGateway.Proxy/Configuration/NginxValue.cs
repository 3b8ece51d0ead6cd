using System.Globalization;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// Parses values written the way nginx writes them, so operators can copy them from their nginx config: times
/// (<c>500ms</c>, <c>10s</c>, <c>1m30s</c>; a bare number is seconds; also .NET's <c>hh:mm:ss</c>) and sizes
/// (<c>1m</c>, <c>512k</c>; a bare number is bytes). The rules are nginx's own, shared with <c>import-nginx</c>.
/// </summary>
public static class NginxValue
{
    public static bool TryParseTime(string? text, out TimeSpan value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text.Trim();
        if (s.Contains(':'))
            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value) && value >= TimeSpan.Zero;
        if (!NginxTime.TryParse(s, secondsResolution: false, out var ms)) return false;
        value = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public static bool TryParseSize(string? text, out long bytes)
    {
        bytes = 0;
        return !string.IsNullOrWhiteSpace(text) && NginxSize.TryParse(text.Trim(), out bytes);
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
