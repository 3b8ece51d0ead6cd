using Microsoft.Extensions.Logging;

namespace SaltHaGateway.Health.Tests;

/// <summary>Captures structured log events (id, level, named values) for assertions.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public sealed record Entry(EventId Id, LogLevel Level, IReadOnlyDictionary<string, object?> Values, string Message);

    private readonly List<Entry> _entries = [];

    public IReadOnlyList<Entry> Entries
    {
        get { lock (_entries) return [.. _entries]; }
    }

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state as IEnumerable<KeyValuePair<string, object?>> ?? [];
        lock (_entries) _entries.Add(new Entry(eventId, logLevel, values.ToDictionary(kv => kv.Key, kv => kv.Value), formatter(state, exception)));
    }
}
