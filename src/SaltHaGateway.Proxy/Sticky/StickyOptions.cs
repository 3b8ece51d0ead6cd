using System.Globalization;
using SaltHaGateway.Proxy.Configuration;

namespace SaltHaGateway.Proxy.Sticky;

public enum StickyMode { Learn, Cookie }

/// <summary>Where a sticky value is read: a request header, cookie or query argument (lookup), or a response header or
/// Set-Cookie of the upstream (create).</summary>
public enum StickySourceKind { RequestHeader, RequestCookie, RequestArg, ResponseHeader, ResponseCookie }

public readonly record struct StickySource(StickySourceKind Kind, string Name, string Variable);

/// <summary>
/// nginx's <c>sticky</c> directive, as written in an <c>upstream</c> block (the cluster's <c>Metadata:Sticky</c>):
/// <c>learn create=$upstream_http_x_auth_token lookup=$http_x_auth_token zone=NAME:SIZE [timeout=10h] [header] [sync]</c>
/// or <c>cookie NAME [expires=TIME|max] [domain=D] [path=P] [httponly] [secure] [samesite=strict|lax|none]</c>.
/// Equal when the text is equal, so a reload that keeps the directive keeps the learned bindings.
/// </summary>
public sealed record StickyOptions
{
    /// <summary>nginx documents about 4000 sessions per megabyte of zone on 64-bit platforms.</summary>
    public const int BytesPerEntry = 256;
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(10);

    public required string Text { get; init; }
    public StickyMode Mode { get; init; }

    // learn
    public IReadOnlyList<StickySource> Create { get; init; } = [];
    public IReadOnlyList<StickySource> Lookup { get; init; } = [];
    public string Zone { get; init; } = "";
    public long ZoneBytes { get; init; }
    public TimeSpan Timeout { get; init; } = DefaultTimeout;
    /// <summary>Learn when the upstream's response headers arrive, not when the response is complete.</summary>
    public bool AtHeader { get; init; }
    /// <summary>Share the bindings with the other gateways over the config-sync peer link.</summary>
    public bool Sync { get; init; }

    // cookie
    public string CookieName { get; init; } = "";
    /// <summary>Null for a session cookie; <see cref="TimeSpan.MaxValue"/> for <c>expires=max</c>.</summary>
    public TimeSpan? CookieExpires { get; init; }
    public string? CookieDomain { get; init; }
    public string? CookiePath { get; init; }
    public bool CookieHttpOnly { get; init; }
    public bool CookieSecure { get; init; }
    public string? CookieSameSite { get; init; }

    /// <summary>Bindings the zone holds before the least recently used one is evicted.</summary>
    public int Capacity => (int)Math.Clamp(ZoneBytes / BytesPerEntry, 1, int.MaxValue);

    public bool Equals(StickyOptions? other) => other is not null && other.Text == Text;
    public override int GetHashCode() => Text.GetHashCode(StringComparison.Ordinal);

    public static bool TryParse(string text, out StickyOptions? options, out string? error)
    {
        options = null;
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) { error = "empty: expected \"learn create=… lookup=… zone=NAME:SIZE\" or \"cookie NAME\""; return false; }
        return words[0] switch
        {
            "learn" => TryParseLearn(text, words, out options, out error),
            "cookie" => TryParseCookie(text, words, out options, out error),
            "route" => Fail(out error, "\"sticky route\" is not supported; use \"sticky learn\" or \"sticky cookie\""),
            _ => Fail(out error, $"unknown sticky method \"{words[0]}\": expected learn or cookie"),
        };
    }

    private static bool TryParseLearn(string text, string[] words, out StickyOptions? options, out string? error)
    {
        options = null;
        var create = new List<StickySource>();
        var lookup = new List<StickySource>();
        string? zone = null;
        long zoneBytes = 0;
        var timeout = DefaultTimeout;
        bool header = false, sync = false;
        foreach (var word in words.Skip(1))
        {
            if (word.StartsWith("create=", StringComparison.Ordinal))
            {
                if (!TryParseSource(word[7..], create: true, out var s, out error)) return false;
                create.Add(s);
            }
            else if (word.StartsWith("lookup=", StringComparison.Ordinal))
            {
                if (!TryParseSource(word[7..], create: false, out var s, out error)) return false;
                lookup.Add(s);
            }
            else if (word.StartsWith("zone=", StringComparison.Ordinal))
            {
                var value = word[5..];
                var colon = value.LastIndexOf(':');
                if (colon <= 0 || !TryParseSize(value[(colon + 1)..], out zoneBytes) || zoneBytes < BytesPerEntry)
                    return Fail(out error, $"invalid zone \"{value}\": expected NAME:SIZE such as saltapi:1m");
                zone = value[..colon];
            }
            else if (word.StartsWith("timeout=", StringComparison.Ordinal))
            {
                if (!NginxValue.TryParseTime(word[8..], out timeout) || timeout <= TimeSpan.Zero)
                    return Fail(out error, $"invalid timeout \"{word[8..]}\" (for example 10h or 30m)");
            }
            else if (word == "header") header = true;
            else if (word == "sync") sync = true;
            else return Fail(out error, $"invalid parameter \"{word}\": expected create=, lookup=, zone=, timeout=, header or sync");
        }
        if (create.Count == 0) return Fail(out error, "\"create\" is missing: the response value that starts a session, e.g. create=$upstream_http_x_auth_token");
        if (lookup.Count == 0) return Fail(out error, "\"lookup\" is missing: the request value that names a session, e.g. lookup=$http_x_auth_token");
        if (zone is null) return Fail(out error, "\"zone\" is missing: zone=NAME:SIZE bounds the table, e.g. zone=saltapi:1m");
        options = new StickyOptions
        {
            Text = text.Trim(), Mode = StickyMode.Learn, Create = create, Lookup = lookup, Zone = zone, ZoneBytes = zoneBytes,
            Timeout = timeout, AtHeader = header, Sync = sync,
        };
        error = null;
        return true;
    }

    private static bool TryParseCookie(string text, string[] words, out StickyOptions? options, out string? error)
    {
        options = null;
        if (words.Length < 2 || words[1].Contains('=')) return Fail(out error, "the cookie name is missing: sticky cookie NAME [expires=1h] [path=/] …");
        var name = words[1];
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.')) return Fail(out error, $"invalid cookie name \"{name}\"");
        TimeSpan? expires = null;
        string? domain = null, path = null, sameSite = null;
        bool httpOnly = false, secure = false;
        foreach (var word in words.Skip(2))
        {
            if (word.StartsWith("expires=", StringComparison.Ordinal))
            {
                var v = word[8..];
                if (v == "max") expires = TimeSpan.MaxValue;
                else if (NginxValue.TryParseTime(v, out var t) && t > TimeSpan.Zero) expires = t;
                else return Fail(out error, $"invalid expires \"{v}\": a time such as 1h, or max");
            }
            else if (word.StartsWith("domain=", StringComparison.Ordinal) && word.Length > 7) domain = word[7..];
            else if (word.StartsWith("path=", StringComparison.Ordinal) && word.Length > 5) path = word[5..];
            else if (word.StartsWith("samesite=", StringComparison.Ordinal))
            {
                sameSite = word[9..].ToLowerInvariant() switch
                {
                    "strict" => "Strict",
                    "lax" => "Lax",
                    "none" => "None",
                    _ => null,
                };
                if (sameSite is null) return Fail(out error, $"invalid samesite \"{word[9..]}\": expected strict, lax or none");
            }
            else if (word == "httponly") httpOnly = true;
            else if (word == "secure") secure = true;
            else return Fail(out error, $"invalid parameter \"{word}\": expected expires=, domain=, path=, samesite=, httponly or secure");
            if ((domain ?? path ?? "").Any(c => c is ';' or ',' || char.IsControl(c) || char.IsWhiteSpace(c)))
                return Fail(out error, $"invalid character in \"{word}\"");
        }
        options = new StickyOptions
        {
            Text = text.Trim(), Mode = StickyMode.Cookie, CookieName = name, CookieExpires = expires, CookieDomain = domain,
            CookiePath = path, CookieHttpOnly = httpOnly, CookieSecure = secure, CookieSameSite = sameSite,
        };
        error = null;
        return true;
    }

    private static bool TryParseSource(string variable, bool create, out StickySource source, out string? error)
    {
        source = default;
        error = null;
        var name = variable.StartsWith("${", StringComparison.Ordinal) && variable.EndsWith('}') ? variable[2..^1]
            : variable.StartsWith('$') ? variable[1..] : null;
        if (string.IsNullOrEmpty(name) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return Fail(out error, $"invalid variable \"{variable}\": expected one variable such as $http_x_auth_token");
        var lower = name.ToLowerInvariant();
        (StickySourceKind Kind, string Name)? parsed = (create, lower) switch
        {
            (true, _) when lower.StartsWith("upstream_http_", StringComparison.Ordinal) && lower.Length > 14 =>
                (StickySourceKind.ResponseHeader, lower[14..].Replace('_', '-')),
            (true, _) when lower.StartsWith("upstream_cookie_", StringComparison.Ordinal) && lower.Length > 16 =>
                (StickySourceKind.ResponseCookie, name[16..]),
            (false, _) when lower.StartsWith("http_", StringComparison.Ordinal) && lower.Length > 5 =>
                (StickySourceKind.RequestHeader, lower[5..].Replace('_', '-')),
            (false, _) when lower.StartsWith("cookie_", StringComparison.Ordinal) && lower.Length > 7 =>
                (StickySourceKind.RequestCookie, name[7..]),
            (false, _) when lower.StartsWith("arg_", StringComparison.Ordinal) && lower.Length > 4 =>
                (StickySourceKind.RequestArg, name[4..]),
            _ => null,
        };
        if (parsed is not { } p)
            return Fail(out error, create
                ? $"variable \"{variable}\" cannot create a session: use $upstream_http_NAME or $upstream_cookie_NAME"
                : $"variable \"{variable}\" cannot look up a session: use $http_NAME, $cookie_NAME or $arg_NAME");
        source = new StickySource(p.Kind, p.Name, "$" + name);
        return true;
    }

    private static bool TryParseSize(string text, out long bytes)
    {
        bytes = 0;
        if (text.Length == 0) return false;
        long factor = char.ToLowerInvariant(text[^1]) switch { 'k' => 1024, 'm' => 1024 * 1024, 'g' => 1024L * 1024 * 1024, _ => 1 };
        var digits = factor == 1 ? text : text[..^1];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > int.MaxValue) return false;
        bytes = n * factor;
        return true;
    }

    private static bool Fail(out string? error, string message)
    {
        error = message;
        return false;
    }
}
