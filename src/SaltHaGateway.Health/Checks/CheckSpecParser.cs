namespace SaltHaGateway.Health;

/// <summary>Parses the check directive the way nginx_upstream_check_module does (see the reference, §1.1).</summary>
internal static class CheckSpecParser
{
    public static bool TryParse(string checkLine, string? httpSend, string? expectAlive, string? keepaliveRequests,
        out CheckSpec? spec, out IReadOnlyList<string> errors)
    {
        var problems = new List<string>();
        var result = CheckSpec.Default;

        // Each token is matched by its "name=" prefix; a repeated parameter keeps the last value.
        foreach (var token in (checkLine ?? "").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = token.IndexOf('=');
            var name = eq < 0 ? token : token[..eq];
            var value = eq < 0 ? "" : token[(eq + 1)..];
            switch (eq < 0 ? "" : name)
            {
                case "type":
                    if (CheckTypeNames.TryParse(value, out var type)) { result = result with { Type = type }; }
                    else if (CheckTypeNames.IsModuleOnly(value))
                        problems.Add($"invalid parameter \"{token}\": type {value} is not supported here (use tcp, http, ssl_hello or https)");
                    else
                        problems.Add($"invalid parameter \"{token}\": type must be tcp, http, ssl_hello or https (case-sensitive)");
                    break;
                case "port":
                    if (TryPositive(value, out var port) && port <= 65535) result = result with { Port = port };
                    else problems.Add($"invalid parameter \"{token}\": port must be 1-65535 (leave port= out to check the server's own port)");
                    break;
                case "interval":
                    if (TryPositive(value, out var interval)) result = result with { Interval = TimeSpan.FromMilliseconds(interval) };
                    else problems.Add($"invalid parameter \"{token}\": interval must be a whole number of milliseconds greater than 0");
                    break;
                case "timeout":
                    if (TryPositive(value, out var timeout)) result = result with { Timeout = TimeSpan.FromMilliseconds(timeout) };
                    else problems.Add($"invalid parameter \"{token}\": timeout must be a whole number of milliseconds greater than 0");
                    break;
                case "rise":
                    if (TryPositive(value, out var rise)) result = result with { Rise = rise };
                    else problems.Add($"invalid parameter \"{token}\": rise must be a whole number greater than 0");
                    break;
                case "fall":
                    if (TryPositive(value, out var fall)) result = result with { Fall = fall };
                    else problems.Add($"invalid parameter \"{token}\": fall must be a whole number greater than 0");
                    break;
                case "default_down":
                    if (TryBool(value, out var down)) result = result with { DefaultDown = down };
                    else problems.Add($"invalid parameter \"{token}\": default_down must be true or false");
                    break;
                case "ssl_verify":
                    if (TryBool(value, out var verify)) result = result with { TlsVerify = verify };
                    else problems.Add($"invalid parameter \"{token}\": ssl_verify must be true or false");
                    break;
                default:
                    problems.Add($"invalid parameter \"{token}\" (expected interval=, rise=, fall=, timeout=, default_down=, type=, port= or ssl_verify=)");
                    break;
            }
        }

        var isHttp = result.Type is CheckType.Http or CheckType.Https;
        // An empty check_http_send means the type's default, as in the module.
        var send = string.IsNullOrEmpty(httpSend) ? (isHttp ? CheckSpec.DefaultHttpSend : "") : NginxString.Unescape(httpSend);
        result = result with { HttpSend = isHttp ? send : "" };

        if (!string.IsNullOrWhiteSpace(expectAlive))
        {
            if (HttpStatusClassesParser.TryParse(expectAlive, out var mask, out var error)) result = result with { ExpectAlive = mask };
            else problems.Add(error!);
        }

        if (!string.IsNullOrWhiteSpace(keepaliveRequests))
        {
            if (TryPositive(keepaliveRequests.Trim(), out var n)) result = result with { KeepaliveRequests = n };
            else problems.Add($"invalid check_keepalive_requests \"{keepaliveRequests}\": must be a whole number greater than 0");
        }

        if (result.TlsVerify && result.Type != CheckType.Https)
            problems.Add("ssl_verify=true needs type=https");

        errors = problems;
        spec = problems.Count == 0 ? result : null;
        return spec is not null;
    }

    /// <summary>nginx's ngx_atoi: decimal digits only, no sign, no suffix; the module also rejects 0.</summary>
    private static bool TryPositive(string value, out int number)
    {
        number = 0;
        if (value.Length == 0) return false;
        long acc = 0;
        foreach (var c in value)
        {
            if (c is < '0' or > '9') return false;
            acc = acc * 10 + (c - '0');
            if (acc > int.MaxValue) return false;
        }
        number = (int)acc;
        return number > 0;
    }

    private static bool TryBool(string value, out bool result)
    {
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase)) { result = true; return true; }
        if (value.Equals("false", StringComparison.OrdinalIgnoreCase)) { result = false; return true; }
        result = false;
        return false;
    }
}
