using SaltHaGateway.Vrrp.Configuration;

namespace SaltHaGateway.Vrrp.Tracking;

/// <summary>A condition that carries a number as well as up/down (track_file).</summary>
public interface ITrackedValue
{
    long Value { get; }
}

/// <summary>
/// keepalived's track_file: the number in a file, read as strtol(…, 0) does (leading blanks, sign, 0x hex, 0 octal,
/// trailing text ignored; no digits or no file is 0; outside 32 bits the last value stays). keepalived re-reads on
/// inotify; this reads every 0.2 s, which costs a few small reads a second.
/// </summary>
internal sealed class TrackFileCondition : PolledCondition, ITrackedValue
{
    private readonly string _path;
    private long _value;

    public TrackFileCondition(string name, VrrpTrackFileOptions options)
        : base("track_file:" + name, true)
    {
        _path = options.Path;
        _value = ReadValue(_path, 0);
    }

    public long Value => Interlocked.Read(ref _value);

    protected override TimeSpan Interval => TimeSpan.FromMilliseconds(200);

    protected override Task<bool> EvaluateAsync(bool current, CancellationToken ct)
    {
        long next = ReadValue(_path, Value);
        if (Interlocked.Exchange(ref _value, next) != next)
        {
            RaiseChanged();
        }
        return Task.FromResult(next == 0);
    }

    /// <summary>init_file: write the value when the file is missing (or always with overwrite).</summary>
    public static void Initialise(VrrpTrackFileOptions options)
    {
        if (options.InitValue is not { } value || (File.Exists(options.Path) && !options.InitOverwrite))
        {
            return;
        }
        File.WriteAllText(options.Path, value.ToString(System.Globalization.CultureInfo.InvariantCulture) + "\n");
    }

    internal static long ReadValue(string path, long previous)
    {
        string text;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var buffer = new byte[127];
            int n = stream.Read(buffer, 0, buffer.Length);
            text = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
        return ParseStrtol(text) is { } v && v is >= int.MinValue and <= (long)int.MaxValue + 1 ? v : previous;
    }

    /// <summary>C's strtol(text, NULL, 0); null when the number does not fit in 64 bits.</summary>
    internal static long? ParseStrtol(string text)
    {
        int i = 0;
        while (i < text.Length && (text[i] is ' ' or '\t' or '\n' or '\r' or '\v' or '\f')) i++;
        bool negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }
        int radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X' && i + 2 < text.Length && Uri.IsHexDigit(text[i + 2]))
        {
            radix = 16;
            i += 2;
        }
        else if (i < text.Length && text[i] == '0')
        {
            radix = 8;
        }
        decimal value = 0;
        for (; i < text.Length; i++)
        {
            int digit = text[i] switch
            {
                >= '0' and <= '9' => text[i] - '0',
                >= 'a' and <= 'f' => text[i] - 'a' + 10,
                >= 'A' and <= 'F' => text[i] - 'A' + 10,
                _ => 99,
            };
            if (digit >= radix) break;
            value = value * radix + digit;
            if (value > long.MaxValue) return null;
        }
        return (long)(negative ? -value : value);
    }
}
