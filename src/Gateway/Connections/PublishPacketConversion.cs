using System.Buffers;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Between MQTTnet's PUBLISH packet and the message the cluster carries.</summary>
internal static class PublishPacketConversion
{
    public static BrokerMessage ToBrokerMessage(MqttPublishPacket packet, string topic, string clientId, long nowUnixMilliseconds) => new()
    {
        MessageId = Guid.NewGuid(),
        Topic = topic,
        Payload = packet.Payload.IsEmpty ? [] : packet.Payload.ToArray(),
        QualityOfService = (byte)packet.QualityOfServiceLevel,
        Retain = packet.Retain,
        PublisherClientId = clientId,
        ExpiresAtUnixMilliseconds = packet.MessageExpiryInterval == 0 ? null : nowUnixMilliseconds + (packet.MessageExpiryInterval * 1000L),
        ContentType = packet.ContentType,
        ResponseTopic = packet.ResponseTopic,
        CorrelationData = packet.CorrelationData,
        PayloadFormatIndicator = (byte)packet.PayloadFormatIndicator,
        UserProperties = packet.UserProperties is { Count: > 0 } properties
            ? [.. properties.Select(p => new UserProperty(p.Name, p.ReadValueAsString()))]
            : null,
    };

    public static MqttPublishPacket ToPublishPacket(
        BrokerMessage message,
        byte qos,
        bool retain,
        IReadOnlyList<uint>? subscriptionIdentifiers,
        ushort packetId,
        long nowUnixMilliseconds) => new()
    {
        Topic = message.Topic,
        PayloadSegment = new ArraySegment<byte>(message.Payload),
        QualityOfServiceLevel = (MqttQualityOfServiceLevel)qos,
        Retain = retain,
        PacketIdentifier = packetId,
        ContentType = message.ContentType,
        ResponseTopic = message.ResponseTopic,
        CorrelationData = message.CorrelationData,
        PayloadFormatIndicator = (MqttPayloadFormatIndicator)message.PayloadFormatIndicator,
        // The remaining lifetime, not the original interval [MQTT-3.3.2-6].
        MessageExpiryInterval = message.ExpiresAtUnixMilliseconds is { } expiresAt
            ? (uint)Math.Max(1, (expiresAt - nowUnixMilliseconds + 999) / 1000)
            : 0,
        UserProperties = message.UserProperties is { Length: > 0 } properties
            ? [.. properties.Select(p => new MqttUserProperty(p.Name, (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(p.Value)))]
            : null,
        SubscriptionIdentifiers = subscriptionIdentifiers is { Count: > 0 } ids ? [.. ids] : null,
    };

    /// <summary>Upper bound of the encoded size, to honour a v5 client's maximum packet size [MQTT-3.1.2-24].</summary>
    public static long EstimateSize(BrokerMessage message)
    {
        long size = 5 + 2 + (message.Topic.Length * 3L) + 2 + message.Payload.Length + 64;
        size += (message.ContentType?.Length ?? 0) * 3L + (message.ResponseTopic?.Length ?? 0) * 3L + (message.CorrelationData?.Length ?? 0);
        if (message.UserProperties is { } properties)
        {
            foreach (var property in properties)
            {
                size += 5 + ((property.Name.Length + property.Value.Length) * 3L);
            }
        }

        return size;
    }

    public static bool IsExpired(BrokerMessage message, long nowUnixMilliseconds) =>
        message.ExpiresAtUnixMilliseconds is { } expiresAt && expiresAt <= nowUnixMilliseconds;
}
