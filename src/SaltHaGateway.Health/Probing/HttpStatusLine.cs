namespace SaltHaGateway.Health;

/// <summary>
/// Reads only the status line of a check response ("HTTP/x.y NNN ..."), as the module does;
/// headers and body are ignored.
/// </summary>
internal static class HttpStatusLine
{
    public enum Parse { NeedMore, Invalid, Ok }

    /// <summary>Parses from the start of <paramref name="data"/>; <paramref name="complete"/> means no more bytes will come.</summary>
    public static Parse TryParse(ReadOnlySpan<byte> data, bool complete, out int status)
    {
        status = 0;
        var end = data.IndexOf((byte)'\n');
        var lineDone = end >= 0 || complete;
        if (end < 0)
        {
            // A status line is short; a long line without LF is not HTTP.
            if (!complete && data.Length < 1024) return Parse.NeedMore;
            end = data.Length;
        }
        var line = data[..end];
        ReadOnlySpan<byte> prefix = "HTTP/"u8;
        if (!line.StartsWith(prefix)) return lineDone || !prefix.StartsWith(line) ? Parse.Invalid : Parse.NeedMore;
        var i = prefix.Length;
        if (!Digits(line, ref i)) return Parse.Invalid;
        if (i >= line.Length || line[i] != '.') return Parse.Invalid;
        i++;
        if (!Digits(line, ref i)) return Parse.Invalid;
        if (i >= line.Length || line[i] != ' ') return Parse.Invalid;
        while (i < line.Length && line[i] == ' ') i++;
        if (i + 3 > line.Length) return Parse.Invalid;
        for (var k = 0; k < 3; k++)
        {
            var c = line[i + k];
            if (c is < (byte)'0' or > (byte)'9') return Parse.Invalid;
            status = status * 10 + (c - '0');
        }
        var after = i + 3;
        if (after < line.Length && line[after] is not ((byte)' ' or (byte)'\r')) return Parse.Invalid;
        return Parse.Ok;
    }

    private static bool Digits(ReadOnlySpan<byte> line, ref int i)
    {
        var start = i;
        while (i < line.Length && line[i] is >= (byte)'0' and <= (byte)'9') i++;
        return i > start;
    }
}
