using System.Collections.Concurrent;

namespace MqttCluster.Grains;

/// <summary>
/// The activations of one grain type in this silo, for gauges that sum a figure over them (retained topics per
/// index partition, queued messages per session). Gauges read the figures without the grains' scheduler: each is a
/// single number, and a reading a moment stale is fine for a gauge.
/// </summary>
public sealed class ActivationGauges<TGrain>
    where TGrain : class
{
    private readonly ConcurrentDictionary<TGrain, byte> _active = new(ReferenceEqualityComparer.Instance);

    public void Track(TGrain grain) => _active.TryAdd(grain, 0);

    public void Untrack(TGrain grain) => _active.TryRemove(grain, out _);

    public long Sum(Func<TGrain, long> figure) => _active.Keys.Sum(figure);

    public long Count(Func<TGrain, bool> predicate) => _active.Keys.Count(predicate);

    public void ForEach(Action<TGrain> action)
    {
        foreach (var grain in _active.Keys)
        {
            action(grain);
        }
    }
}
