namespace SaltHaGateway.Proxy.Configuration;

/// <summary>nginx's <c>proxy_next_upstream</c> conditions that the gateway can act on.</summary>
[Flags]
public enum NextUpstreamConditions
{
    Off = 0,
    Error = 1,
    Timeout = 2,
    NonIdempotent = 4,

    Default = Error | Timeout,
}

public static class NextUpstreamConditionsParser
{
    public static bool TryParse(string text, out NextUpstreamConditions conditions, out string? error)
    {
        conditions = NextUpstreamConditions.Off;
        error = null;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words is ["off"]) return true;
        foreach (var word in words)
        {
            NextUpstreamConditions? c = word switch
            {
                "error" => NextUpstreamConditions.Error,
                "timeout" => NextUpstreamConditions.Timeout,
                "invalid_header" => NextUpstreamConditions.Error,
                "non_idempotent" => NextUpstreamConditions.NonIdempotent,
                _ => null,
            };
            if (c is null && word.StartsWith("http_", StringComparison.Ordinal))
            {
                error = $"\"{word}\" is not supported: responses are streamed to the client, so only connection errors and timeouts are retried";
                return false;
            }
            if (c is null)
            {
                error = word == "off" ? "\"off\" cannot be combined with other conditions" : $"invalid value \"{word}\"";
                return false;
            }
            conditions |= c.Value;
        }
        if (words.Length == 0) { error = "empty value"; return false; }
        return true;
    }
}
