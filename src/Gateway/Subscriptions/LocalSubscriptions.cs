using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Cluster;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// All subscriptions of this gateway's sessions in one trie, and the gateway's routes in the cluster: a filter is
/// routed to this gateway while at least one local session subscribes to it, so client churn on a popular filter
/// does not reach the cluster. Route changes are serialised, so add/remove of the same filter cannot reorder.
/// </summary>
public sealed class LocalSubscriptions(IBrokerCluster cluster)
{
    private readonly Lock _lock = new();
    private readonly TopicTrie<Subscription> _trie = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, int> _subscribersPerFilter = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _routeChanges = new(1, 1);

    /// <summary>Filters with at least one local subscriber (the routes this gateway needs).</summary>
    public IReadOnlyCollection<string> Filters
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscribersPerFilter.Keys];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _trie.Count;
            }
        }
    }

    /// <summary>Adds a subscription; returns once the filter is routable to this gateway cluster-wide.</summary>
    public async Task AddAsync(Subscription subscription)
    {
        await _routeChanges.WaitAsync();
        try
        {
            bool firstForFilter;
            lock (_lock)
            {
                _trie.Add(subscription.Filter, subscription);
                var count = _subscribersPerFilter.GetValueOrDefault(subscription.Filter) + 1;
                _subscribersPerFilter[subscription.Filter] = count;
                firstForFilter = count == 1;
            }

            if (firstForFilter)
            {
                try
                {
                    await cluster.AddRouteAsync(subscription.Filter);
                }
                catch
                {
                    RemoveLocal(subscription);
                    throw;
                }
            }
        }
        finally
        {
            _routeChanges.Release();
        }
    }

    public async Task RemoveAsync(Subscription subscription)
    {
        await _routeChanges.WaitAsync();
        try
        {
            if (RemoveLocal(subscription))
            {
                await cluster.RemoveRouteAsync(subscription.Filter);
            }
        }
        finally
        {
            _routeChanges.Release();
        }
    }

    /// <summary>Adds every subscription whose filter matches <paramref name="topic"/> to <paramref name="matches"/>.</summary>
    public void Match(string topic, List<Subscription> matches)
    {
        lock (_lock)
        {
            _trie.Match(topic, (_, subscription) => matches.Add(subscription));
        }
    }

    /// <summary>Removes locally; true when it was the filter's last subscriber (the route must go).</summary>
    private bool RemoveLocal(Subscription subscription)
    {
        lock (_lock)
        {
            if (!_trie.Remove(subscription.Filter, subscription))
            {
                return false;
            }

            var count = _subscribersPerFilter[subscription.Filter] - 1;
            if (count > 0)
            {
                _subscribersPerFilter[subscription.Filter] = count;
                return false;
            }

            _subscribersPerFilter.Remove(subscription.Filter);
            return true;
        }
    }
}
