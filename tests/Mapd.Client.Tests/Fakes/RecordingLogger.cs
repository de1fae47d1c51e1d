using Microsoft.Extensions.Logging;

namespace Mapd.Client.Tests.Fakes;

/// <summary>Keeps every entry logged, by event name.</summary>
public sealed class RecordingLogger : ILogger
{
    private readonly List<(string? Event, LogLevel Level, string Message)> _entries = [];

    public IReadOnlyList<(string? Event, LogLevel Level, string Message)> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public IEnumerable<string?> Events => Entries.Select(e => e.Event);

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_entries)
        {
            _entries.Add((eventId.Name, logLevel, formatter(state, exception)));
        }
    }
}
