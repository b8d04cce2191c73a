namespace MqttCluster.Grains.Bridges;

/// <summary>The bridges running in this silo, for the queue-depth gauge.</summary>
public sealed class BridgeActivations
{
    private readonly ActivationGauges<BridgeGrain> _gauges = new();

    internal void Track(BridgeGrain grain) => _gauges.Track(grain);

    internal void Untrack(BridgeGrain grain) => _gauges.Untrack(grain);

    public long QueuedTotal => _gauges.Sum(b => b.Queued);
}
