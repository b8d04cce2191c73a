using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;
using MqttCluster.Grains.Bridges;
using MqttCluster.Silo.Configuration;

namespace MqttCluster.Silo.Hosting;

/// <summary>
/// SIGHUP reads the configuration again (the mosquitto.conf given with <c>-c</c>, and appsettings.json) and hands the
/// bridges it declares to this silo's <see cref="BridgeKeeper"/>, which starts new and changed ones and stops removed
/// ones within a couple of seconds. Other settings keep the values they started with. A configuration with errors
/// changes nothing and is logged. Per node: in a cluster, signal every node.
/// </summary>
public sealed partial class BridgeReloadOnHangup(
    IConfiguration configuration,
    BridgeDefinitions definitions,
    ILogger<BridgeReloadOnHangup> logger) : IHostedService, IDisposable
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!OperatingSystem.IsWindows())
        {
            _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
            {
                context.Cancel = true;
                Reload();
            });
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _registration?.Dispose();

    /// <summary>Reads the bridges again; false (and logged) when the configuration has errors.</summary>
    public bool Reload()
    {
        if (configuration is IConfigurationRoot root)
        {
            root.Reload();
            var problems = root.Providers.OfType<MosquittoConfigurationProvider>().SelectMany(p => p.Problems).ToList();
            if (problems.Count > 0)
            {
                LogRefused(string.Join(Environment.NewLine, problems));
                return false;
            }
        }

        try
        {
            var bridges = BridgeConfiguration.Read(configuration);
            definitions.Replace(bridges);
            LogReloaded(bridges.Count, string.Join(", ", bridges.Select(b => b.Name)));
            return true;
        }
        catch (OptionsValidationException exception)
        {
            LogRefused(exception.Message);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Configuration reloaded: {Count} bridge(s) ({Names})")]
    private partial void LogReloaded(int count, string names);

    [LoggerMessage(Level = LogLevel.Error, Message = "Configuration not reloaded, the bridges stay as they were: {Problems}")]
    private partial void LogRefused(string problems);
}
