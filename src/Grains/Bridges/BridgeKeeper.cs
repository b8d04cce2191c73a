using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Starts every configured bridge when the silo starts — before a co-hosted gateway accepts clients, so messages
/// published right after a restart already reach the bridges' queues — and then asks again periodically. Every silo
/// does this, and each bridge is one grain, so a bridge runs once in the cluster and comes back on another silo
/// when its own stops or dies. Each round also asks the registry of the bridges defined at run time
/// (<see cref="IBridgeRegistryGrain"/>) to start those.
/// </summary>
public sealed partial class BridgeKeeper(
    BridgeDefinitions definitions,
    IGrainFactory grainFactory,
    TimeProvider timeProvider,
    ILogger<BridgeKeeper> logger) : PeriodicSiloWork(Interval, timeProvider, ServiceLifecycleStage.Active)
{
    /// <summary>Shorter than <see cref="GatewayLiveness.Expiry"/>, so a bridge whose silo died is back before the
    /// route index would drop its routes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private string[] _managed = [];

    /// <summary>One round: every bridge this silo knows is asked to run (also on a silo that started without any:
    /// a reload may add some). A failure is logged per bridge; the next round tries again.</summary>
    protected override async Task RoundAsync()
    {
        // The managed bridges first: the registry starts them, and their names take configured ones' places.
        string[] managed;
        try
        {
            managed = await grainFactory.GetGrain<IBridgeRegistryGrain>(IBridgeRegistryGrain.Key).KeepRunningAsync();
            _managed = managed;
        }
        catch (Exception exception) when (!IsStopping)
        {
            LogManagedFailed(exception);
            managed = _managed;
        }

        var bridges = definitions.Bridges.Where(b => !managed.Contains(b.Name, StringComparer.Ordinal)).ToList();
        foreach (var bridge in bridges)
        {
            try
            {
                await grainFactory.GetGrain<IBridgeGrain>(bridge.Name).StartAsync(bridge);
                _started.Add(bridge.Name);
            }
            catch (Exception exception) when (!IsStopping)
            {
                LogStartFailed(bridge.Name, exception);
            }
        }

        // A configured bridge now managed through the REST API is the registry's to run or stop.
        _started.ExceptWith(managed);

        // Removed by a reload: stopped once by this silo (another silo that still has it would start it again).
        foreach (var name in _started.Except(bridges.Select(b => b.Name), StringComparer.Ordinal).ToArray())
        {
            try
            {
                await grainFactory.GetGrain<IBridgeGrain>(name).StopAsync();
                _started.Remove(name);
                LogStopped(name);
            }
            catch (Exception exception) when (!IsStopping)
            {
                LogStopFailed(name, exception);
            }
        }
    }

    protected override void RoundFailed(Exception exception) => LogRoundFailed(exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Keeping the bridges running failed; trying again shortly")]
    private partial void LogRoundFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} is no longer configured; stopped")]
    private partial void LogStopped(string bridge);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping bridge {Bridge} failed; trying again shortly")]
    private partial void LogStopFailed(string bridge, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting the bridges managed through the REST API failed; trying again shortly")]
    private partial void LogManagedFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting bridge {Bridge} failed; trying again shortly")]
    private partial void LogStartFailed(string bridge, Exception exception);
}
