namespace SaltHaGateway.Proxy.Configuration;

/// <summary>nginx sizes (ngx_parse_offset): digits with an optional k/K, m/M or g/G suffix.</summary>
public static class NginxSize
{
    public static bool TryParse(string text, out long bytes)
    {
        bytes = 0;
        if (text.Length == 0)
        {
            return false;
        }

        var scale = char.ToLowerInvariant(text[^1]) switch
        {
            'k' => 1024L,
            'm' => 1024L * 1024,
            'g' => 1024L * 1024 * 1024,
            _ => 1L,
        };
        var digits = scale == 1 ? text : text[..^1];
        if (!NginxNumber.TryParse(digits, out var value) || value > long.MaxValue / scale)
        {
            return false;
        }

        bytes = value * scale;
        return true;
    }
}
