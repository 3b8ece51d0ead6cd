using System.Globalization;
using System.Text;

namespace SaltHaGateway.IntegrationTests.Infrastructure;

/// <summary>One request of the client loop: wall-clock start and end, curl's exit code, the HTTP status (0 when no
/// response) and the <c>X-Via</c> header act2 adds (the address the serving gateway connected from).</summary>
public sealed record ClientRequest(DateTimeOffset Start, DateTimeOffset End, int CurlExit, int Status, string Via)
{
    public bool Ok => CurlExit == 0 && Status == 200;

    public override string ToString() =>
        $"{Start:HH:mm:ss.fff}+{(End - Start).TotalMilliseconds:0}ms curl={CurlExit} http={Status:000} via={(Via.Length == 0 ? "-" : Via)}";
}

/// <summary>Failed requests and the longest time between two consecutive successes in a window.</summary>
public sealed record LoadReport(DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ClientRequest> Requests)
{
    public IReadOnlyList<ClientRequest> Failures => Requests.Where(r => !r.Ok).ToList();
    public int Failed => Failures.Count;

    /// <summary>Between the ends of consecutive successful requests (zero with fewer than two successes).</summary>
    public TimeSpan LongestSuccessGap => LongestGap.Length;

    public (TimeSpan Length, DateTimeOffset After) LongestGap
    {
        get
        {
            var ends = Requests.Where(r => r.Ok).Select(r => r.End).Order().ToList();
            var best = (TimeSpan.Zero, From);
            for (int i = 1; i < ends.Count; i++)
            {
                if (ends[i] - ends[i - 1] > best.Item1) best = (ends[i] - ends[i - 1], ends[i - 1]);
            }
            return best;
        }
    }

    public IReadOnlyDictionary<string, int> ByVia =>
        Requests.Where(r => r.Ok).GroupBy(r => r.Via).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>Requests after <paramref name="since"/>, the last <paramref name="count"/> of which all succeeded
    /// (and were served through <paramref name="via"/> when given).</summary>
    public bool EndsWithSuccesses(DateTimeOffset since, int count, string? via = null)
    {
        var after = Requests.Where(r => r.Start >= since).ToList();
        return after.Count >= count && after.TakeLast(count).All(r => r.Ok && (via is null || r.Via == via));
    }

    public override string ToString()
    {
        var text = new StringBuilder();
        var gap = LongestGap;
        text.Append(CultureInfo.InvariantCulture,
            $"{Requests.Count} requests {From:HH:mm:ss.fff}..{To:HH:mm:ss.fff}, {Failed} failed, longest gap between successes {gap.Length.TotalMilliseconds:0} ms (after {gap.After:HH:mm:ss.fff}); served via {string.Join(", ", ByVia.Select(kv => $"{(kv.Key.Length == 0 ? "-" : kv.Key)}: {kv.Value}"))}");
        foreach (var r in Requests.OrderByDescending(r => r.End - r.Start).Take(3)) text.Append("\n  slowest: ").Append(r);
        foreach (var f in Failures.Take(40)) text.Append("\n  failed: ").Append(f);
        if (Failed > 40) text.Append(CultureInfo.InvariantCulture, $"\n  … {Failed - 40} more");
        return text.ToString();
    }
}

/// <summary>
/// A client in its own namespace: a bash loop that sends about 20 GETs per second, each one a fresh curl (a new TCP
/// connection), with a 1 s limit per request, and writes one line per request. It stops by itself after
/// <c>maxDuration</c> and is killed at dispose.
/// </summary>
public sealed class ClientLoad : IAsyncDisposable
{
    // Times come from bash's EPOCHREALTIME (no fork per timestamp): microseconds since the epoch, the host's clock.
    private const string Script = """
        url=$1; out=$2; max_us=$(( $3 * 1000000 )); period_us=$4
        exec >"$out"
        now=${EPOCHREALTIME/./}; end=$(( now + max_us )); next=$now
        while :; do
          now=${EPOCHREALTIME/./}
          (( now >= end )) && break
          if (( next > now )); then d=$(( next - now )); printf -v s '%d.%06d' $(( d / 1000000 )) $(( d % 1000000 )); sleep "$s"; fi
          start=${EPOCHREALTIME/./}
          res=$(curl -s -o /dev/null --max-time 1 -w '%{http_code} %header{x-via}' "$url"); rc=$?
          stop=${EPOCHREALTIME/./}
          echo "$start $stop $rc $res"
          next=$(( next + period_us )); (( next < stop )) && next=$stop
        done
        """;

    private readonly NamespacedProcess _process;

    private ClientLoad(NamespacedProcess process, string file)
    {
        _process = process;
        File = file;
    }

    public string File { get; }
    public bool HasExited => _process.HasExited;

    public static ClientLoad Start(string ns, string url, string file, TimeSpan maxDuration, TimeSpan? period = null)
    {
        var periodUs = (long)(period ?? TimeSpan.FromMilliseconds(50)).TotalMicroseconds;
        var process = NamespacedProcess.Start(ns, "client", "bash", "-c", Script, "client", url, file,
            ((int)Math.Ceiling(maxDuration.TotalSeconds)).ToString(CultureInfo.InvariantCulture), periodUs.ToString(CultureInfo.InvariantCulture));
        return new ClientLoad(process, file);
    }

    public IReadOnlyList<ClientRequest> Read()
    {
        string text;
        try
        {
            using var stream = new FileStream(File, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            text = new StreamReader(stream).ReadToEnd();
        }
        catch (FileNotFoundException)
        {
            return [];
        }
        var requests = new List<ClientRequest>();
        foreach (var line in text.Split('\n'))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4 || !long.TryParse(f[0], out var start) || !long.TryParse(f[1], out var end)) continue;   // a line being written
            requests.Add(new ClientRequest(
                DateTimeOffset.UnixEpoch.AddTicks(start * 10), DateTimeOffset.UnixEpoch.AddTicks(end * 10),
                int.Parse(f[2], CultureInfo.InvariantCulture), int.TryParse(f[3], out var code) ? code : 0,
                f.Length > 4 ? f[4] : ""));
        }
        return requests;
    }

    /// <summary>Requests that started within [from, to].</summary>
    public LoadReport Report(DateTimeOffset from, DateTimeOffset to) =>
        new(from, to, Read().Where(r => r.Start >= from && r.Start <= to).ToList());

    public LoadReport Report() => Report(DateTimeOffset.MinValue, DateTimeOffset.MaxValue) is var all && all.Requests.Count > 0
        ? new LoadReport(all.Requests[0].Start, all.Requests[^1].End, all.Requests)
        : all;

    /// <summary>Ends the loop (the request in flight is cut off and not written).</summary>
    public ValueTask StopAsync() => _process.DisposeAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
