using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Sync.Tests.Infrastructure;

/// <summary>Writes log lines (prefixed by node name) to stderr and keeps them for assertions.</summary>
public sealed class PrefixLoggerProvider(string prefix) : ILoggerProvider
{
    public static readonly System.Collections.Concurrent.ConcurrentQueue<string> Lines = new();

    public ILogger CreateLogger(string categoryName) => new L(prefix, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose() { }

    private sealed class L(string prefix, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = $"[{prefix}] {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}";
            Lines.Enqueue(line);
            if (Lines.Count > 20000) Lines.TryDequeue(out _);
            Console.Error.WriteLine(line);
        }
    }
}
