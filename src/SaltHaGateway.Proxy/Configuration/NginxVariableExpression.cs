using System.Text;
using Microsoft.AspNetCore.Http;

namespace SaltHaGateway.Proxy.Configuration;

/// <summary>
/// A value with nginx variables, such as <c>$host:$server_port</c> or <c>$http_x_auth_token</c>, compiled once at
/// config load and evaluated per request. Only variables that make sense in front of act2 and salt-api are known;
/// an unknown one is a config error, as in nginx.
/// </summary>
public sealed class NginxVariableExpression
{
    private readonly Segment[] _segments;

    private NginxVariableExpression(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    public string Text { get; }

    /// <summary>True when the value is a constant, so callers can skip per-request work.</summary>
    public bool IsLiteral => _segments.All(s => s.Variable == NginxVariable.Literal);

    public static bool TryParse(string text, out NginxVariableExpression? expression, out string? error)
    {
        var segments = new List<Segment>();
        var literal = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] != '$')
            {
                literal.Append(text[i++]);
                continue;
            }
            i++;
            string name;
            if (i < text.Length && text[i] == '{')
            {
                var close = text.IndexOf('}', i);
                if (close < 0) { expression = null; error = $"unterminated variable in \"{text}\""; return false; }
                name = text[(i + 1)..close];
                i = close + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                name = text[start..i];
            }
            if (name.Length == 0) { expression = null; error = $"invalid variable name in \"{text}\""; return false; }
            if (!TryResolve(name, out var segment)) { expression = null; error = $"unknown \"{name}\" variable"; return false; }
            if (literal.Length > 0) { segments.Add(new Segment(NginxVariable.Literal, literal.ToString())); literal.Clear(); }
            segments.Add(segment);
        }
        if (literal.Length > 0) segments.Add(new Segment(NginxVariable.Literal, literal.ToString()));
        expression = new NginxVariableExpression(text, segments.ToArray());
        error = null;
        return true;
    }

    /// <param name="proxyHost">What <c>$proxy_host</c> means for this request (the upstream name, as nginx).</param>
    public string Evaluate(HttpContext context, string proxyHost)
    {
        switch (_segments.Length)
        {
            case 1: return Evaluate(_segments[0], context, proxyHost);
            case 2: return string.Concat(Evaluate(_segments[0], context, proxyHost), Evaluate(_segments[1], context, proxyHost));
            case 3:
                return string.Concat(Evaluate(_segments[0], context, proxyHost), Evaluate(_segments[1], context, proxyHost),
                    Evaluate(_segments[2], context, proxyHost));
        }
        var sb = new StringBuilder();
        foreach (var segment in _segments) sb.Append(Evaluate(segment, context, proxyHost));
        return sb.ToString();
    }

    private static string Evaluate(Segment s, HttpContext context, string proxyHost)
    {
        var request = context.Request;
        return s.Variable switch
        {
            NginxVariable.Literal => s.Argument,
            NginxVariable.Host => HostWithoutPort(request),
            NginxVariable.ServerPort => ClientAddress.LocalPortOf(context),
            NginxVariable.ServerAddr => context.Connection.LocalIpAddress?.ToString() ?? "",
            NginxVariable.RemoteAddr => ClientAddress.Of(context),
            NginxVariable.RemotePort => context.Connection.RemotePort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            NginxVariable.Scheme => request.Scheme,
            NginxVariable.RequestMethod => request.Method,
            NginxVariable.RequestUri => request.PathBase.Add(request.Path).ToUriComponent() + request.QueryString.ToUriComponent(),
            NginxVariable.Uri => request.PathBase.Add(request.Path).Value ?? "/",
            NginxVariable.Args => request.QueryString.HasValue ? request.QueryString.Value![1..] : "",
            NginxVariable.HttpHeader => request.Headers[s.Argument].ToString(),
            NginxVariable.Cookie => request.Cookies[s.Argument] ?? "",
            NginxVariable.Arg => request.Query[s.Argument].ToString(),
            NginxVariable.ProxyHost => proxyHost,
            NginxVariable.ProxyAddXForwardedFor => AppendForwardedFor(context),
            _ => "",
        };
    }

    /// <summary>nginx's <c>$host</c>: the Host header without port, lower-cased; the listener address when absent.</summary>
    public static string HostWithoutPort(HttpRequest request)
    {
        var host = request.Host;
        if (host.HasValue) return host.Host.ToLowerInvariant();
        return request.HttpContext.Connection.LocalIpAddress?.ToString() ?? "";
    }

    /// <summary>nginx's <c>$proxy_add_x_forwarded_for</c>: the incoming X-Forwarded-For with the client address appended.</summary>
    public static string AppendForwardedFor(HttpContext context)
    {
        var incoming = context.Request.Headers["X-Forwarded-For"];
        var client = ClientAddress.Of(context);
        return incoming.Count == 0 ? client : string.Join(", ", incoming.ToArray()) + ", " + client;
    }

    private static bool TryResolve(string name, out Segment segment)
    {
        var lower = name.ToLowerInvariant();
        NginxVariable? v = lower switch
        {
            "host" => NginxVariable.Host,
            "server_port" => NginxVariable.ServerPort,
            "server_addr" => NginxVariable.ServerAddr,
            "remote_addr" or "binary_remote_addr" => NginxVariable.RemoteAddr,
            "remote_port" => NginxVariable.RemotePort,
            "scheme" => NginxVariable.Scheme,
            "request_method" => NginxVariable.RequestMethod,
            "request_uri" => NginxVariable.RequestUri,
            "uri" or "document_uri" => NginxVariable.Uri,
            "args" or "query_string" => NginxVariable.Args,
            "proxy_host" => NginxVariable.ProxyHost,
            "proxy_add_x_forwarded_for" => NginxVariable.ProxyAddXForwardedFor,
            _ => null,
        };
        if (v is { } known) { segment = new Segment(known, ""); return true; }
        if (lower.StartsWith("http_", StringComparison.Ordinal) && lower.Length > 5)
        {
            segment = new Segment(NginxVariable.HttpHeader, lower[5..].Replace('_', '-'));
            return true;
        }
        if (lower.StartsWith("cookie_", StringComparison.Ordinal) && lower.Length > 7)
        {
            segment = new Segment(NginxVariable.Cookie, name[7..]);
            return true;
        }
        if (lower.StartsWith("arg_", StringComparison.Ordinal) && lower.Length > 4)
        {
            segment = new Segment(NginxVariable.Arg, name[4..]);
            return true;
        }
        segment = default;
        return false;
    }

    private readonly record struct Segment(NginxVariable Variable, string Argument);

    private enum NginxVariable
    {
        Literal, Host, ServerPort, ServerAddr, RemoteAddr, RemotePort, Scheme, RequestMethod, RequestUri, Uri, Args,
        HttpHeader, Cookie, Arg, ProxyHost, ProxyAddXForwardedFor,
    }
}
