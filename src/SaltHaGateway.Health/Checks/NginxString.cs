namespace SaltHaGateway.Health;

/// <summary>
/// nginx's escape handling for quoted config strings, applied to check_http_send so a value copied from
/// nginx.conf ("GET / HTTP/1.0\r\n\r\n") means the same bytes here.
/// </summary>
public static class NginxString
{
    public static string Unescape(string value)
    {
        if (value.IndexOf('\\') < 0) return value;
        var sb = new System.Text.StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c != '\\' || i + 1 == value.Length)
            {
                sb.Append(c);
                continue;
            }
            var next = value[++i];
            switch (next)
            {
                case 'r': sb.Append('\r'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case '"' or '\'' or '\\': sb.Append(next); break;
                // nginx keeps an unknown escape as written.
                default: sb.Append('\\').Append(next); break;
            }
        }
        return sb.ToString();
    }
}
