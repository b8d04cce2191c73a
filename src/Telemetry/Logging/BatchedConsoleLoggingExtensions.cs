using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace MqttCluster.Telemetry.Logging;

public static class BatchedConsoleLoggingExtensions
{
    /// <summary>
    /// Replaces .NET's console logger with <see cref="BatchedConsoleLoggerProvider"/>, keeping its configuration
    /// (formatter, formatter options, log levels under <c>Logging:Console</c>).
    /// </summary>
    public static ILoggingBuilder AddBatchedConsole(this ILoggingBuilder logging)
    {
        // Registers the console formatters and options; the provider it adds is taken out again.
        logging.AddConsole();
        var console = logging.Services.Where(d => d.ServiceType == typeof(ILoggerProvider) && d.ImplementationType == typeof(ConsoleLoggerProvider)).ToArray();
        foreach (var descriptor in console)
        {
            logging.Services.Remove(descriptor);
        }

        logging.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, BatchedConsoleLoggerProvider>());
        return logging;
    }
}
