using MqttCluster.Core.Topics;
using MqttCluster.Gateway.Cluster;

namespace MqttCluster.Gateway.Subscriptions;

/// <summary>
/// All subscriptions of this gateway's sessions, and the gateway's routes in the cluster: a route (a filter, or a
/// shared group <c>$share/{group}/{filter}</c>) points at this gateway while at least one local session needs it,
/// so client churn on a popular filter does not reach the cluster. Plain subscriptions live in a trie; shared ones
/// in per-group member lists, because the cluster names the group when it picks this gateway for a message.
/// Route changes are serialised, so add/remove of the same route cannot reorder.
/// </summary>
public sealed class LocalSubscriptions(IBrokerCluster cluster)
{
    private readonly Lock _lock = new();
    private readonly TopicTrie<Subscription> _trie = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, SharedGroupMembers> _sharedGroups = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _subscribersPerRoute = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _routeChanges = new(1, 1);

    /// <summary>Routes with at least one local subscriber (what this gateway needs from the route index).</summary>
    public IReadOnlyCollection<string> Routes
    {
        get
        {
            lock (_lock)
            {
                return [.. _subscribersPerRoute.Keys];
            }
        }
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _trie.Count + _sharedGroups.Values.Sum(g => g.Count);
            }
        }
    }

    /// <summary>Adds a subscription; returns once its route is in place cluster-wide.</summary>
    public async Task AddAsync(Subscription subscription)
    {
        await _routeChanges.WaitAsync();
        try
        {
            bool firstForRoute;
            lock (_lock)
            {
                AddLocal(subscription);
                var count = _subscribersPerRoute.GetValueOrDefault(subscription.Route) + 1;
                _subscribersPerRoute[subscription.Route] = count;
                firstForRoute = count == 1;
            }

            if (firstForRoute)
            {
                try
                {
                    await cluster.AddRouteAsync(subscription.Route);
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
                await cluster.RemoveRouteAsync(subscription.Route);
            }
        }
        finally
        {
            _routeChanges.Release();
        }
    }

    /// <summary>Adds every plain subscription whose filter matches <paramref name="topic"/> to <paramref name="matches"/>.</summary>
    public void Match(string topic, List<Subscription> matches)
    {
        lock (_lock)
        {
            _trie.Match(topic, (_, subscription) => matches.Add(subscription));
        }
    }

    /// <summary>The next local member of a shared group (round-robin), or null when none is left here.</summary>
    public Subscription? NextSharedMember(string groupRoute, ISubscriber? excluding = null)
    {
        lock (_lock)
        {
            return _sharedGroups.TryGetValue(groupRoute, out var members) ? members.Next(excluding) : null;
        }
    }

    private void AddLocal(Subscription subscription)
    {
        if (subscription.SharedGroupRoute is { } group)
        {
            if (!_sharedGroups.TryGetValue(group, out var members))
            {
                _sharedGroups[group] = members = new SharedGroupMembers();
            }

            members.Add(subscription);
        }
        else
        {
            _trie.Add(subscription.Filter, subscription);
        }
    }

    /// <summary>Removes locally; true when it was the route's last subscriber (the route must go).</summary>
    private bool RemoveLocal(Subscription subscription)
    {
        lock (_lock)
        {
            bool removed;
            if (subscription.SharedGroupRoute is { } group)
            {
                removed = _sharedGroups.TryGetValue(group, out var members) && members.Remove(subscription);
                if (removed && members!.Count == 0)
                {
                    _sharedGroups.Remove(group);
                }
            }
            else
            {
                removed = _trie.Remove(subscription.Filter, subscription);
            }

            if (!removed)
            {
                return false;
            }

            var count = _subscribersPerRoute[subscription.Route] - 1;
            if (count > 0)
            {
                _subscribersPerRoute[subscription.Route] = count;
                return false;
            }

            _subscribersPerRoute.Remove(subscription.Route);
            return true;
        }
    }
}
