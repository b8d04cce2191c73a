using MqttCluster.Core.Topics;

namespace MqttCluster.Grains.Retained;

/// <summary>
/// One partition of the retained index (see <see cref="RetainedIndexPartition"/>): the set of its topics holding a
/// retained message, persisted, with an in-memory topic tree to answer wildcard filters.
/// </summary>
public sealed class RetainedIndexGrain(
    [PersistentState("topics", StorageNames.Broker)] IPersistentState<RetainedIndexState> state) : Grain, IRetainedIndexGrain
{
    private readonly TopicNameTree _tree = new();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var topic in state.State.Topics)
        {
            _tree.Add(topic);
        }

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
