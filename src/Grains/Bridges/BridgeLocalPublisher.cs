using Microsoft.Extensions.Logging;
using MQTTnet.Packets;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// What a bridge publishes on this broker: messages from the remote, under their local topic and the bridge's
/// <c>local_clientid</c> (so they do not go back out), and its connection state.
/// </summary>
internal sealed partial class BridgeLocalPublisher(
    string bridge,
    BridgeOptions options,
    BridgeRoutes routes,
    IGrainFactory grainFactory,
    TimeProvider timeProvider,
    ILogger logger)
{
    private long _received;

    public string LocalClientId { get; } = options.EffectiveLocalClientId;

    public long Received => Interlocked.Read(ref _received);

    /// <summary>Publishes a message from the remote here; throws (so it is not acknowledged) when that fails.</summary>
    public async Task PublishIncomingAsync(MqttPublishPacket message)
    {
        if (!routes.TryIncoming(message.Topic, (byte)message.QualityOfServiceLevel, out var localTopic, out var qos))
        {
            LogIncomingIgnored(bridge, message.Topic);
            return;
        }

        var local = BridgeMessageConversion.ToLocal(message, localTopic, qos, LocalClientId, timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        try
        {
            await GrainReferences.Get<ITopicGrain>(grainFactory, localTopic).PublishAsync([local]);
            Interlocked.Increment(ref _received);
        }
        catch (Exception exception)
        {
            LogIncomingFailed(bridge, localTopic, exception);
            throw;
        }
    }

    /// <summary>Mosquitto's local notification: the connection state ("1" up, "0" down), retained.</summary>
    public async Task PublishStateAsync(bool up)
    {
        if (!options.Notifications)
        {
            return;
        }

        var topic = options.EffectiveNotificationTopic;
        try
        {
            await GrainReferences.Get<ITopicGrain>(grainFactory, topic).PublishAsync([new BrokerMessage
            {
                MessageId = Guid.NewGuid(),
                Topic = topic,
                Payload = BridgeMessageConversion.StatePayload(up),
                QualityOfService = 1,
                Retain = true,
                PublisherClientId = LocalClientId,
            }]);
        }
        catch (Exception exception)
        {
            LogNotificationFailed(bridge, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Bridge {Bridge}: a message from the remote on '{Topic}' matches no incoming topic line; ignored")]
    private partial void LogIncomingIgnored(string bridge, string topic);

    [LoggerMessage(Level = LogLevel.Error, Message = "Bridge {Bridge}: a message from the remote could not be published on '{Topic}' here; the connection ends so the remote sends it again")]
    private partial void LogIncomingFailed(string bridge, string topic, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bridge {Bridge}: publishing its connection state here failed")]
    private partial void LogNotificationFailed(string bridge, Exception exception);
}
