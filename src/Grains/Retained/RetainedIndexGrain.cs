using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Retained;

/// <summary>
/// One partition of the retained index (see <see cref="RetainedIndexPartition"/>): the set of its topics holding a
/// retained message, persisted, with an in-memory topic tree to answer wildcard filters.
/// </summary>
public sealed class RetainedIndexGrain(
    [PersistentState("topics", StorageNames.Broker)] IPersistentState<RetainedIndexState> state,
    ActivationGauges<RetainedIndexGrain> gauges) : Grain, IRetainedIndexGrain
{
    private readonly TopicNameTree _tree = new();

    /// <summary>For the retained-messages gauge, read off the grain's scheduler (where the persistent state's
    /// accessor is not to be used): the in-memory tree holds the same topics.</summary>
    internal int Count => _tree.Count;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in state.State.Topics)
        {
            _tree.Add(topic);
        }

        gauges.Track(this);
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        gauges.Untrack(this);
        return Task.CompletedTask;
    }

    public async Task AddAsync(string topic)
    {
        if (state.State.Topics.Add(topic))
        {
            _tree.Add(topic);
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string topic)
    {
        if (state.State.Topics.Remove(topic))
        {
            _tree.Remove(topic);
            await state.WriteStateAsync();
        }
    }

    public Task<string[]> MatchAsync(string filter) => Task.FromResult(_tree.Match(filter).ToArray());

    public Task<int> CountAsync() => Task.FromResult(state.State.Topics.Count);
}
