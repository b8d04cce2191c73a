using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// When a silo starts, wakes every persistent session listed in the session registry, so offline sessions queue
/// messages again and expire on time after a restart. Idempotent: every silo of a cluster may do it.
/// </summary>
public sealed partial class SessionRestorer(IGrainFactory grainFactory, ILogger<SessionRestorer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int Concurrency = 64;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionRestorer), ServiceLifecycleStage.Active + 1, RestoreAsync, _ => Task.CompletedTask);

    private async Task RestoreAsync(CancellationToken cancellationToken)
    {
        var woken = 0;
        for (var partition = 0; partition < ISessionRegistryGrain.Partitions; partition++)
        {
            var clientIds = await grainFactory.GetGrain<ISessionRegistryGrain>(partition).GetClientIdsAsync();
            foreach (var chunk in clientIds.Chunk(Concurrency))
            {
                await Task.WhenAll(chunk.Select(WakeAsync));
            }

            woken += clientIds.Length;
        }

        if (woken > 0)
        {
            LogRestored(woken);
        }
    }

    private async Task WakeAsync(string clientId)
    {
        try
        {
            await grainFactory.GetGrain<ISessionGrain>(clientId).WakeAsync();
        }
        catch (Exception exception)
        {
            LogWakeFailed(clientId, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored {Count} persistent session(s)")]
    private partial void LogRestored(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Persistent session '{ClientId}' could not be restored")]
    private partial void LogWakeFailed(string clientId, Exception exception);
}
