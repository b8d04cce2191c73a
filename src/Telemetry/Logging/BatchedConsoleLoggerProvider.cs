using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace MqttCluster.Telemetry.Logging;

/// <summary>
/// The console logger of the broker's executables: the formatters and options of .NET's console logger
/// (<c>Logging:Console:FormatterName</c> simple, systemd or json, <c>LogToStandardErrorThreshold</c>), written through
/// <see cref="BatchedConsoleWriter"/> instead of a writer thread woken for every line.
/// </summary>
[ProviderAlias("Console")]
public sealed class BatchedConsoleLoggerProvider : ILoggerProvider, ISupportExternalScope
{
    private readonly IOptionsMonitor<ConsoleLoggerOptions> _options;
    private readonly Dictionary<string, ConsoleFormatter> _formatters;
    private readonly BatchedConsoleWriter _writer;
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters)
        : this(options, formatters, new BatchedConsoleWriter(Console.OpenStandardOutput(), Console.OpenStandardError()))
    {
    }

    internal BatchedConsoleLoggerProvider(IOptionsMonitor<ConsoleLoggerOptions> options, IEnumerable<ConsoleFormatter> formatters, BatchedConsoleWriter writer)
    {
        _options = options;
        _formatters = formatters.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);
        _writer = writer;
    }

    internal IExternalScopeProvider Scopes => _scopes;

    internal BatchedConsoleWriter Writer => _writer;

    internal LogLevel StandardErrorThreshold => _options.CurrentValue.LogToStandardErrorThreshold;

    /// <summary>The configured formatter, read on each line so a changed setting applies at once.</summary>
    internal ConsoleFormatter Formatter =>
        _formatters.TryGetValue(_options.CurrentValue.FormatterName ?? ConsoleFormatterNames.Simple, out var formatter)
            ? formatter
            : _formatters[ConsoleFormatterNames.Simple];

    public ILogger CreateLogger(string categoryName) => new BatchedConsoleLogger(categoryName, this);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() => _writer.Dispose();
}
