using System.Diagnostics.Metrics;

namespace MqttCluster.Grains.Bridges;

/// <summary>The bridges running in this silo, for their gauges (one series per bridge, tagged with its name).</summary>
public sealed class BridgeActivations
{
    private readonly ActivationGauges<BridgeGrain> _gauges = new();
    private readonly List<BridgeGrain> _snapshot = [];

    internal void Track(BridgeGrain grain) => _gauges.Track(grain);

    internal void Untrack(BridgeGrain grain) => _gauges.Untrack(grain);

    public long QueuedTotal => _gauges.Sum(b => b.Queued);

    /// <summary>One measurement per bridge in this silo: a bridge runs in one silo, so the series do not overlap.</summary>
    public IEnumerable<Measurement<long>> PerBridge(Func<BridgeGrain, long> figure)
    {
        lock (_snapshot)
        {
            _snapshot.Clear();
            _gauges.ForEach(_snapshot.Add);
            return [.. _snapshot.Where(b => b.Name.Length > 0).Select(b => new Measurement<long>(figure(b), new KeyValuePair<string, object?>(BridgeAttribute, b.Name)))];
        }
    }

    /// <summary>The attribute naming the bridge on its series.</summary>
    public const string BridgeAttribute = "bridge";
}
