using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MqttCluster.Telemetry.Logging;

/// <summary>One category's logger of <see cref="BatchedConsoleLoggerProvider"/>: formats on the calling thread, queues
/// the text.</summary>
internal sealed class BatchedConsoleLogger(string category, BatchedConsoleLoggerProvider provider) : ILogger
{
    /// <summary>Larger buffers are not kept for the next line (a long exception).</summary>
    private const int KeptBufferChars = 1024;

    [ThreadStatic]
    private static StringWriter? t_buffer;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => provider.Scopes.Push(state);

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var buffer = t_buffer ??= new StringWriter();
        var entry = new LogEntry<TState>(logLevel, category, eventId, state, exception, formatter);
        provider.Formatter.Write(in entry, provider.Scopes, buffer);
        var text = buffer.GetStringBuilder();
        if (text.Length == 0)
        {
            return;
        }

        provider.Writer.Enqueue(text.ToString(), logLevel >= provider.StandardErrorThreshold);
        text.Clear();
        if (text.Capacity > KeptBufferChars)
        {
            text.Capacity = KeptBufferChars;
        }
    }
}
