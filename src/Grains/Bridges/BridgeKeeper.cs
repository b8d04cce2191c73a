using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Starts every configured bridge when the silo starts — before a co-hosted gateway accepts clients, so messages
/// published right after a restart already reach the bridges' queues — and then asks again periodically. Every silo
/// does this, and each bridge is one grain, so a bridge runs once in the cluster and comes back on another silo
/// when its own stops or dies. The bridges defined at run time (<see cref="IBridgeRegistryGrain"/>) join this silo's
/// configured ones at every round.
/// </summary>
public sealed partial class BridgeKeeper(
    BridgeDefinitions definitions,
    IGrainFactory grainFactory,
    TimeProvider timeProvider,
    ILogger<BridgeKeeper> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    /// <summary>Shorter than <see cref="GatewayLiveness.Expiry"/>, so a bridge whose silo died is back before the
    /// route index would drop its routes.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    private readonly HashSet<string> _started = new(StringComparer.Ordinal);
    private ManagedBridge[] _managed = [];

    /// <summary>Always: a reload may add bridges to a silo that started without any.</summary>
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(BridgeKeeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        await StartAllAsync();
        _loop = KeepAsync();
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task KeepAsync()
    {
        using var timer = new PeriodicTimer(Interval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await StartAllAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task StartAllAsync()
    {
        var (bridges, complete) = await EffectiveBridgesAsync();
        foreach (var bridge in bridges)
        {
            try
            {
                await grainFactory.GetGrain<IBridgeGrain>(bridge.Name).StartAsync(bridge);
                _started.Add(bridge.Name);
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                LogStartFailed(bridge.Name, exception);
            }
        }

        if (!complete)
        {
            return;
        }

        // Removed by a reload or stopped through the REST API: stopped once by this silo (another silo that still
        // has it would start it again).
        foreach (var name in _started.Except(bridges.Select(b => b.Name), StringComparer.Ordinal).ToArray())
        {
            try
            {
                await grainFactory.GetGrain<IBridgeGrain>(name).StopAsync();
                _started.Remove(name);
                LogStopped(name);
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                LogStopFailed(name, exception);
            }
        }
    }

    /// <summary>
    /// This silo's configured bridges and the running managed ones (cluster storage); a managed bridge, running or
    /// stopped, takes the place of a configured one of the same name. False when the managed ones could not be read
    /// (the last ones read stand in, and nothing should be stopped for not being seen).
    /// </summary>
    private async Task<(IReadOnlyList<BridgeOptions> Bridges, bool Complete)> EffectiveBridgesAsync()
    {
        var complete = true;
        try
        {
            _managed = await grainFactory.GetGrain<IBridgeRegistryGrain>(IBridgeRegistryGrain.Key).ListAsync();
        }
        catch (Exception exception) when (!_stopping.IsCancellationRequested)
        {
            LogManagedReadFailed(exception);
            complete = false;
        }

        var managedNames = _managed.Select(b => b.Options.Name).ToHashSet(StringComparer.Ordinal);
        return ([.. definitions.Bridges.Where(b => !managedNames.Contains(b.Name)), .. _managed.Where(b => b.Running).Select(b => b.Options)], complete);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Bridge {Bridge} is no longer configured; stopped")]
    private partial void LogStopped(string bridge);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping bridge {Bridge} failed; trying again shortly")]
    private partial void LogStopFailed(string bridge, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the bridges managed through the REST API failed; trying again shortly")]
    private partial void LogManagedReadFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting bridge {Bridge} failed; trying again shortly")]
    private partial void LogStartFailed(string bridge, Exception exception);
}
