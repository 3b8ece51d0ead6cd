namespace SaltHaGateway.Proxy.Configuration;

/// <summary>nginx's ngx_atoi / ngx_atoof: one or more decimal digits, nothing else (no sign, no spaces).</summary>
public static class NginxNumber
{
    public static bool TryParse(string text, out long value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (var ch in text)
        {
            if (ch is < '0' or > '9')
            {
                return false;
            }

            if (value > (long.MaxValue - (ch - '0')) / 10)
            {
                return false;
            }

            value = value * 10 + (ch - '0');
        }

        return true;
    }
}
