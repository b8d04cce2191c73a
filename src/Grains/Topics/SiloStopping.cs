namespace MqttCluster.Grains.Topics;

/// <summary>
/// Whether this silo has begun to stop. Its grains' calls to gateways still arrive then, but the answers do not
/// (a gateway's answer enters through another silo, which looks for the grain where it is no longer active), so
/// trying a delivery again is futile: a stopping silo's outboxes hand a failed delivery to its sessions at once.
/// </summary>
public sealed class SiloStopping : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _stopping;

    public bool IsStopping => _stopping;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(SiloStopping), ServiceLifecycleStage.Active, _ => Task.CompletedTask, OnStopAsync);

    private Task OnStopAsync(CancellationToken cancellationToken)
    {
        _stopping = true;
        return Task.CompletedTask;
    }
}
