using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Wakes every persistent session listed in the session registry: offline ones register their routes again and
/// resume their timers. Used when a silo starts and when the route index starts afresh. Idempotent.
/// </summary>
internal sealed partial class SessionWaker(IGrainFactory grainFactory, ILogger logger)
{
    private const int Concurrency = 64;

    public async Task<int> WakeAllAsync()
    {
        var woken = 0;
        try
        {
            for (var partition = 0; partition < ISessionRegistryGrain.Partitions; partition++)
            {
                var clientIds = await grainFactory.GetGrain<ISessionRegistryGrain>(partition).GetClientIdsAsync();
                foreach (var chunk in clientIds.Chunk(Concurrency))
                {
                    await Task.WhenAll(chunk.Select(WakeAsync));
                }

                woken += clientIds.Length;
            }
        }
        catch (Exception exception)
        {
            LogWakeFailed(logger, "(registry)", exception);
        }

        return woken;
    }

    private async Task WakeAsync(string clientId)
    {
        try
        {
            await grainFactory.GetGrain<ISessionGrain>(clientId).WakeAsync();
        }
        catch (Exception exception)
        {
            LogWakeFailed(logger, clientId, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Persistent session '{ClientId}' could not be woken")]
    private static partial void LogWakeFailed(ILogger logger, string clientId, Exception exception);
}
