using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Keeps every log line of one broker in memory, so a test can fail on a broker error it did not provoke (as
/// MQTTnet's TestEnvironment does) and a failure message can show what the broker said.
/// </summary>
public sealed class LogCapture : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private IExternalScopeProvider? _scopes;
    private long _sequence;

    /// <summary>Every entry, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    /// <summary>Position of the next entry; pass it to <see cref="ErrorsSince"/> to see what a test caused.</summary>
    public long Position => Interlocked.Read(ref _sequence);

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public IReadOnlyList<LogEntry> ErrorsSince(long position) =>
        [.. _entries.Where(e => e.Sequence >= position && e.Level >= LogLevel.Error)];

    public IReadOnlyList<LogEntry> WarningsSince(long position) =>
        [.. _entries.Where(e => e.Sequence >= position && e.Level >= LogLevel.Warning)];

    /// <summary>Every line, oldest first.</summary>
    public IEnumerable<string> Lines => _entries.Select(e => e.ToString());

    /// <summary>The last lines, for failure messages.</summary>
    public string Tail(int lines = 40) =>
        string.Join(Environment.NewLine, _entries.TakeLast(lines).Select(e => e.ToString()));

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string message, Exception? exception)
    {
        var scopes = new List<KeyValuePair<string, object?>>();
        _scopes?.ForEachScope(
            (scope, list) =>
            {
                if (scope is IEnumerable<KeyValuePair<string, object?>> properties)
                {
                    list.AddRange(properties);
                }
            },
            scopes);
        _entries.Enqueue(new LogEntry(Interlocked.Increment(ref _sequence) - 1, DateTimeOffset.UtcNow, level, category, message, exception, scopes));
    }

    private sealed class CapturingLogger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture.Add(logLevel, category, formatter(state, exception), exception);
    }
}
