using Microsoft.Extensions.Logging;
using MqttCluster.Grains.Routing;

namespace MqttCluster.Grains.Topics;

/// <summary>
/// One activation per topic name: keeps the retained message and forwards every accepted message to the gateways
/// whose routes match, one ordered outbox per gateway. Destinations come from the silo-local route replica and are
/// cached until the replica changes.
/// </summary>
public sealed partial class TopicGrain(
    [PersistentState("retained", StorageNames.Broker)] IPersistentState<RetainedMessageState> retained,
    RouteIndexReplica routes,
    TimeProvider timeProvider,
    ILogger<TopicGrain> logger) : Grain, ITopicGrain
{
    private readonly Dictionary<string, GatewayOutbox> _outboxes = new(StringComparer.Ordinal);
    private GatewayDestination[] _destinations = [];
    private long _destinationsVersion = -1;

    private string Topic => this.GetPrimaryKeyString();

    public async Task PublishAsync(BrokerMessage[] messages)
    {
        var lastRetained = Array.FindLast(messages, m => m.Retain);
        if (lastRetained is not null)
        {
            await StoreRetainedAsync(lastRetained);
        }

        var destinations = CurrentDestinations();
        foreach (var destination in destinations)
        {
            if (!_outboxes.TryGetValue(destination.GatewayId, out var outbox))
            {
                outbox = new GatewayOutbox(Topic, destination.GatewayId, destination.Gateway, logger);
                _outboxes[destination.GatewayId] = outbox;
            }

            outbox.Gateway = destination.Gateway;
            outbox.Enqueue(messages);
        }
    }

    public Task<BrokerMessage?> GetRetainedAsync()
    {
        var message = retained.State.Message;
        if (message?.ExpiresAtUnixMilliseconds is { } expiresAt && expiresAt <= timeProvider.GetUtcNow().ToUnixTimeMilliseconds())
        {
            return Task.FromResult<BrokerMessage?>(null);
        }

        return Task.FromResult(message);
    }

    private GatewayDestination[] CurrentDestinations()
    {
        var version = routes.ChangeCount;
        if (version != _destinationsVersion)
        {
            _destinations = routes.Match(Topic);
            _destinationsVersion = version;
            DropIdleOutboxes();
        }

        return _destinations;
    }

    private void DropIdleOutboxes()
    {
        foreach (var (gatewayId, outbox) in _outboxes.ToArray())
        {
            if (outbox.IsIdle && Array.TrueForAll(_destinations, d => d.GatewayId != gatewayId))
            {
                _outboxes.Remove(gatewayId);
            }
        }
    }

    /// <summary>
    /// Sets, replaces or clears (empty payload, [MQTT-3.3.1-10]) the retained message. The index entry is added
    /// before the message is stored and removed after it is cleared, so a crash in between leaves at worst an
    /// index entry without a message, never a retained message that wildcard subscribers cannot find.
    /// </summary>
    private async Task StoreRetainedAsync(BrokerMessage message)
    {
        var index = GrainFactory.GetGrain<IRetainedIndexGrain>(RetainedIndexPartition.ForTopic(Topic));
        var hadMessage = retained.State.Message is not null;
        if (message.Payload.Length == 0)
        {
            if (!hadMessage)
            {
                return;
            }

            retained.State.Message = null;
            await retained.ClearStateAsync();
            await index.RemoveAsync(Topic);
            LogRetainedCleared(Topic);
            return;
        }

        if (!hadMessage)
        {
            await index.AddAsync(Topic);
        }

        retained.State.Message = message;
        await retained.WriteStateAsync();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Retained message on '{Topic}' cleared")]
    private partial void LogRetainedCleared(string topic);
}
