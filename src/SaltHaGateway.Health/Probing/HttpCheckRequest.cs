using System.Text;

namespace SaltHaGateway.Health;

/// <summary>
/// The bytes an http(s) check sends: check_http_send as configured, with the server's Host header added
/// when one is configured and the request carries none (the module has no per-server Host; an HTTP/1.1
/// request without Host gets a 400 from most servers, tengine#1771).
/// </summary>
internal static class HttpCheckRequest
{
    public static byte[] Build(string send, string? hostHeader)
    {
        if (string.IsNullOrEmpty(hostHeader)) return Encoding.Latin1.GetBytes(send);
        var firstLf = send.IndexOf('\n');
        if (firstLf < 0 || HasHostHeader(send, firstLf + 1)) return Encoding.Latin1.GetBytes(send);
        var eol = firstLf > 0 && send[firstLf - 1] == '\r' ? "\r\n" : "\n";
        return Encoding.Latin1.GetBytes(send[..(firstLf + 1)] + "Host: " + hostHeader + eol + send[(firstLf + 1)..]);
    }

    /// <summary>True when the request's header section (up to the blank line) has a Host header.</summary>
    public static bool HasHostHeader(string send, int headersStart)
    {
        var pos = headersStart;
        while (pos < send.Length)
        {
            var lf = send.IndexOf('\n', pos);
            var line = (lf < 0 ? send[pos..] : send[pos..lf]).TrimEnd('\r');
            if (line.Length == 0) return false;
            if (line.StartsWith("host:", StringComparison.OrdinalIgnoreCase)) return true;
            if (lf < 0) return false;
            pos = lf + 1;
        }
        return false;
    }

    /// <summary>An HTTP/1.1 request line with no Host header and no per-server Host to add: worth a warning.</summary>
    public static bool LacksRequiredHost(string send, string? hostHeader)
    {
        if (!string.IsNullOrEmpty(hostHeader)) return false;
        var firstLf = send.IndexOf('\n');
        var requestLine = (firstLf < 0 ? send : send[..firstLf]).TrimEnd('\r');
        return requestLine.EndsWith("HTTP/1.1", StringComparison.Ordinal) && !HasHostHeader(send, firstLf < 0 ? send.Length : firstLf + 1);
    }
}
