using Microsoft.Extensions.Logging;

namespace MqttCluster.Grains.Sessions;

/// <summary>
/// Wakes every persistent session when a silo starts and holds the start until they are routable again, so a
/// gateway co-hosted with the silo accepts no PUBLISH before the offline sessions' routes are back. The route index
/// also wakes them when it activates, but cannot wait for it (the sessions call it back). Idempotent.
/// </summary>
public sealed class SessionRestorer(IGrainFactory grainFactory, ILogger<SessionRestorer> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SessionRestorer), ServiceLifecycleStage.Active + 1, RestoreAsync, _ => Task.CompletedTask);

    private Task RestoreAsync(CancellationToken cancellationToken) => new SessionWaker(grainFactory, logger).WakeAllAsync();
}
