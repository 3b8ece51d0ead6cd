using System.Security.Cryptography;
using System.Text;

namespace SaltHaGateway.Admin;

/// <summary>
/// <c>GET /</c> on the admin listener: one read-only HTML page (<c>AdminPage.html</c>, inline style and script,
/// nothing loaded from elsewhere) that shows the pair, the upstream servers, the traffic, config sync and maintenance,
/// and refreshes itself every 2 s from <c>GET /ui/summary</c>. Its Content-Security-Policy allows exactly that inline
/// script and style (by their SHA-256) and requests to this origin only, and forbids framing. It has no controls:
/// state changes stay on the control socket.
/// </summary>
public static class AdminPage
{
    private static readonly byte[] Html = Load();

    public static string ContentSecurityPolicy { get; } = Policy(Encoding.UTF8.GetString(Html));

    public static void MapAdminPage(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/", (HttpContext context) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
            return Results.Bytes(Html, "text/html; charset=utf-8");
        }).AdminOnly().WithDisplayName("admin page");
        endpoints.MapGet("/ui/summary", async (UiSummarySource summary, HttpContext context, CancellationToken ct) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.CacheControl = "no-store";
            return Results.Json(await summary.GetAsync(ct), AdminJsonContext.Indented.UiSummary);
        }).AdminOnly();
    }

    private static byte[] Load()
    {
        using var stream = typeof(AdminPage).Assembly.GetManifestResourceStream("SaltHaGateway.Admin.AdminPage.html")
            ?? throw new InvalidOperationException("the admin page is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    private static string Policy(string html) =>
        $"default-src 'none'; script-src {Hash(html, "script")}; style-src {Hash(html, "style")}; connect-src 'self'; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The CSP source for the page's one inline element of this kind: the SHA-256 of its text, as browsers hash it.</summary>
    private static string Hash(string html, string element)
    {
        var open = html.IndexOf($"<{element}>", StringComparison.Ordinal);
        var close = html.IndexOf($"</{element}>", StringComparison.Ordinal);
        if (open < 0 || close < open) throw new InvalidOperationException($"the admin page has no <{element}> element");
        var text = html[(open + element.Length + 2)..close];
        return $"'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(text)))}'";
    }
}
