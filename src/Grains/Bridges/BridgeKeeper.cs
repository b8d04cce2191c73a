using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Starts every configured bridge when the silo starts — before a co-hosted gateway accepts clients, so messages
/// published right after a restart already reach the bridges' queues — and then asks again periodically. Every silo
/// does this, and each bridge is one grain, so a bridge runs once in the cluster and comes back on another silo
/// when its own stops or dies.
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

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (definitions.Bridges.Count > 0)
        {
            lifecycle.Subscribe(nameof(BridgeKeeper), ServiceLifecycleStage.Active, StartAsync, StopAsync);
        }
    }

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
        foreach (var bridge in definitions.Bridges)
        {
            try
            {
                await grainFactory.GetGrain<IBridgeGrain>(bridge.Name).StartAsync(bridge);
            }
            catch (Exception exception) when (!_stopping.IsCancellationRequested)
            {
                LogStartFailed(bridge.Name, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Starting bridge {Bridge} failed; trying again shortly")]
    private partial void LogStartFailed(string bridge, Exception exception);
}
