using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;

namespace SaltHaGateway.AccessLog;

/// <summary>
/// Writes access-log lines from a queue on a background task, so a slow disk or terminal never holds up a request.
/// Lines are flushed whenever the queue runs dry. If the queue is full (the sink cannot keep up), lines are
/// dropped and counted rather than blocking traffic.
/// </summary>
public sealed class AccessLogWriter : BackgroundService
{
    private readonly Channel<string> _lines = Channel.CreateBounded<string>(new BoundedChannelOptions(65536)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });
    private readonly string _path;
    private long _dropped;

    public AccessLogWriter(string path) => _path = path;

    public long Dropped => Interlocked.Read(ref _dropped);

    public void Write(string line)
    {
        if (!_lines.Writer.TryWrite(line)) Interlocked.Increment(ref _dropped);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var stream = _path == "stdout"
            ? Console.OpenStandardOutput()
            : new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, useAsync: false);
        await using var writer = new StreamWriter(stream, new UTF8Encoding(false), 64 * 1024) { AutoFlush = false, NewLine = "\n" };
        try
        {
            while (await _lines.Reader.WaitToReadAsync(stoppingToken))
            {
                while (_lines.Reader.TryRead(out var line)) await writer.WriteLineAsync(line);
                await writer.FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) { }
        while (_lines.Reader.TryRead(out var rest)) await writer.WriteLineAsync(rest);
        await writer.FlushAsync(CancellationToken.None);
    }
}
