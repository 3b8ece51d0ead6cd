using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using SaltHaGateway.Hosting;
using SaltHaGateway.Proxy;
using Yarp.ReverseProxy.Model;

namespace SaltHaGateway.AccessLog;

/// <summary>One line per proxied request, in nginx's <c>combined</c> format or as JSON, written after the response.</summary>
public sealed class AccessLogMiddleware(RequestDelegate next, AccessLogWriter writer, AccessLogFormat format, TimeProvider time)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var started = time.GetTimestamp();
        var counter = new CountingBodyFeature(context.Features.GetRequiredFeature<IHttpResponseBodyFeature>());
        context.Features.Set<IHttpResponseBodyFeature>(counter);
        try
        {
            await next(context);
        }
        finally
        {
            context.Features.Set(counter.Inner);
            var elapsed = time.GetElapsedTime(started);
            writer.Write(format == AccessLogFormat.Json
                ? Json(context, counter.BytesWritten, elapsed, time.GetLocalNow())
                : Combined(context, counter.BytesWritten, time.GetLocalNow()));
        }
    }

    /// <summary><c>$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"</c></summary>
    public static string Combined(HttpContext context, long bytes, DateTimeOffset now)
    {
        var r = context.Request;
        var sb = new StringBuilder(200);
        sb.Append(ClientAddress.Of(context)).Append(" - - [")
          .Append(now.ToString("dd/MMM/yyyy:HH:mm:ss ", CultureInfo.InvariantCulture))
          .Append(now.ToString("zzz", CultureInfo.InvariantCulture).Replace(":", ""))
          .Append("] \"").Append(r.Method).Append(' ').Append(Escape(r.Path.ToUriComponent() + r.QueryString.ToUriComponent()))
          .Append(' ').Append(r.Protocol).Append("\" ")
          .Append(context.Response.StatusCode).Append(' ').Append(bytes)
          .Append(" \"").Append(Dash(Escape(r.Headers.Referer.ToString()))).Append("\" \"")
          .Append(Dash(Escape(r.Headers.UserAgent.ToString()))).Append('"');
        return sb.ToString();
    }

    public static string Json(HttpContext context, long bytes, TimeSpan elapsed, DateTimeOffset now)
    {
        var r = context.Request;
        var proxy = context.Features.Get<IReverseProxyFeature>();
        using var buffer = new MemoryStream(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("time", now);
            json.WriteString("remote_addr", ClientAddress.Of(context));
            json.WriteString("method", r.Method);
            json.WriteString("uri", r.Path.ToUriComponent() + r.QueryString.ToUriComponent());
            json.WriteString("protocol", r.Protocol);
            json.WriteNumber("status", context.Response.StatusCode);
            json.WriteNumber("body_bytes_sent", bytes);
            json.WriteNumber("request_time", Math.Round(elapsed.TotalSeconds, 3));
            json.WriteString("host", r.Host.Value);
            json.WriteString("http_referer", r.Headers.Referer.ToString());
            json.WriteString("http_user_agent", r.Headers.UserAgent.ToString());
            json.WriteString("route", proxy?.Route.Config.RouteId);
            json.WriteString("upstream", proxy?.Route.Config.ClusterId);
            json.WriteString("upstream_addr", proxy?.ProxiedDestination?.Model.Config.Address);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static string Dash(string s) => s.Length == 0 ? "-" : s;

    /// <summary>nginx escapes '"', '\' and control bytes as \xHH in the log.</summary>
    private static string Escape(string s)
    {
        if (!s.Any(c => c == '"' || c == '\\' || c < 0x20 || c > 0x7e)) return s;
        var sb = new StringBuilder(s.Length + 8);
        foreach (var c in s)
        {
            if (c == '"' || c == '\\' || c < 0x20 || c > 0x7e) sb.Append("\\x").Append(((int)c & 0xFF).ToString("X2", CultureInfo.InvariantCulture));
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
