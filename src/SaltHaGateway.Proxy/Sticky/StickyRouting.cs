using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using SaltHaGateway.Proxy.Upstreams;

namespace SaltHaGateway.Proxy.Sticky;

/// <summary>
/// nginx's <c>sticky</c> on the request path. A request whose session value is bound goes to the bound server when it
/// can take it; otherwise (unknown value, or the bound server is down or failed — a rebind) the balancer picks as usual.
/// <c>learn</c> binds the value the upstream's response creates; <c>cookie</c> needs no table: the cookie names the server.
/// </summary>
public static class StickyRouting
{
    /// <summary>The server the request is bound to and that may take it now, or null to balance as usual.</summary>
    public static UpstreamServer? Lookup(HttpContext context, Upstream upstream)
    {
        var options = upstream.Sticky!;
        string? bound;
        var table = upstream.StickyTable;
        var counters = upstream.StickyCounters!;
        if (options.Mode == StickyMode.Cookie)
        {
            var value = context.Request.Cookies[options.CookieName];
            if (string.IsNullOrEmpty(value)) return null;
            bound = upstream.ServerByCookie(value)?.Name;
            if (bound is null)
            {
                Interlocked.Increment(ref counters.Misses);
                return null;
            }
            Interlocked.Increment(ref counters.Hits);
        }
        else
        {
            var value = FirstValue(context, options.Lookup);
            if (value is null) return null;
            bound = table!.Lookup(StickyTable.KeyOf(value));
            if (bound is null)
            {
                Interlocked.Increment(ref counters.Misses);
                return null;
            }
            Interlocked.Increment(ref counters.Hits);
        }
        var server = upstream.Find(bound);
        if (server is not null && upstream.TryTake(server)) return server;
        Interlocked.Increment(ref counters.Rebinds);
        return null;
    }

    /// <summary>What the answering server's response means for the session (called once the try succeeded).</summary>
    public static void OnResponse(HttpContext context, Upstream upstream, UpstreamServer server)
    {
        var options = upstream.Sticky!;
        if (options.Mode == StickyMode.Cookie)
        {
            SetCookie(context, options, upstream, server);
            return;
        }
        var value = FirstValue(context, options.Create);
        if (value is not null) upstream.StickyTable!.Learn(StickyTable.KeyOf(value), server.Name);
    }

    private static void SetCookie(HttpContext context, StickyOptions options, Upstream upstream, UpstreamServer server)
    {
        var id = upstream.CookieIdOf(server);
        if (context.Request.Cookies[options.CookieName] == id || context.Response.HasStarted) return;
        var cookie = new StringBuilder(options.CookieName).Append('=').Append(id);
        if (options.CookieExpires is { } expires)
        {
            // nginx: expires=max is 31 Dec 2037 23:55:55 GMT.
            var at = expires == TimeSpan.MaxValue ? new DateTimeOffset(2037, 12, 31, 23, 55, 55, TimeSpan.Zero) : DateTimeOffset.UtcNow + expires;
            cookie.Append("; expires=").Append(HeaderUtilities.FormatDate(at));
            if (expires != TimeSpan.MaxValue) cookie.Append("; max-age=").Append((long)expires.TotalSeconds);
        }
        if (options.CookieDomain is { } domain) cookie.Append("; domain=").Append(domain);
        if (options.CookiePath is { } path) cookie.Append("; path=").Append(path);
        if (options.CookieSameSite is { } sameSite) cookie.Append("; samesite=").Append(sameSite);
        if (options.CookieSecure) cookie.Append("; secure");
        if (options.CookieHttpOnly) cookie.Append("; httponly");
        context.Response.Headers.Append(HeaderNames.SetCookie, cookie.ToString());
    }

    /// <summary>The cookie value that names a server: the MD5 of its host:port in hex, as nginx's sticky cookie.</summary>
    public static string CookieId(string serverName) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(serverName)));

    private static string? FirstValue(HttpContext context, IReadOnlyList<StickySource> sources)
    {
        foreach (var s in sources)
        {
            var value = s.Kind switch
            {
                StickySourceKind.RequestHeader => context.Request.Headers[s.Name].ToString(),
                StickySourceKind.RequestCookie => context.Request.Cookies[s.Name],
                StickySourceKind.RequestArg => context.Request.Query[s.Name].ToString(),
                StickySourceKind.ResponseHeader => context.Response.Headers[s.Name].ToString(),
                StickySourceKind.ResponseCookie => ResponseCookie(context.Response, s.Name),
                _ => null,
            };
            if (!string.IsNullOrEmpty(value)) return value;
        }
        return null;
    }

    /// <summary>nginx's <c>$upstream_cookie_NAME</c>: the value of the cookie NAME in the response's Set-Cookie headers.</summary>
    private static string? ResponseCookie(HttpResponse response, string name)
    {
        foreach (var header in response.Headers.SetCookie)
        {
            if (header is null) continue;
            var span = header.AsSpan();
            var eq = span.IndexOf('=');
            if (eq <= 0 || !span[..eq].Trim().Equals(name, StringComparison.Ordinal)) continue;
            var value = span[(eq + 1)..];
            var semi = value.IndexOf(';');
            return (semi >= 0 ? value[..semi] : value).Trim().ToString();
        }
        return null;
    }
}
