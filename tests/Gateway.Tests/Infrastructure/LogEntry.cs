using Microsoft.Extensions.Logging;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>One captured log line of the broker, with the properties of the logging scopes it was written in.</summary>
public sealed record LogEntry(
    long Sequence,
    DateTimeOffset Time,
    LogLevel Level,
    string Category,
    string Message,
    Exception? Exception,
    IReadOnlyList<KeyValuePair<string, object?>> Scopes)
{
    public override string ToString() =>
        $"{Time:HH:mm:ss.fff} {Level,-11} {Category}: {Message}{(Exception is null ? string.Empty : $"{Environment.NewLine}    {Exception.GetType().Name}: {Exception.Message}")}";
}
