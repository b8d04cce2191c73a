using System.Buffers;
using MqttCluster.Grains;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>Between MQTTnet's PUBLISH packet and the message the cluster carries.</summary>
internal static class PublishPacketConversion
{
    // W3C Trace Context for MQTT: the trace context travels as these two user properties.
    private const string TraceParentProperty = "traceparent";
    private const string TraceStateProperty = "tracestate";

    /// <param name="upgradeOutgoingQoS">Mosquitto's upgrade_outgoing_qos: the message travels as QoS 2, so each
    /// subscriber gets it at its subscription's QoS (min(2, granted)), not at the publisher's.</param>
    public static BrokerMessage ToBrokerMessage(MqttPublishPacket packet, string topic, string clientId, long nowUnixMilliseconds, bool upgradeOutgoingQoS = false)
    {
        UserProperty[]? userProperties = null;
        string? traceParent = null;
        string? traceState = null;
        if (packet.UserProperties is { Count: > 0 } properties)
        {
            var kept = new List<UserProperty>(properties.Count);
            foreach (var property in properties)
            {
                switch (property.Name)
                {
                    case TraceParentProperty:
                        traceParent = property.ReadValueAsString();
                        break;
                    case TraceStateProperty:
                        traceState = property.ReadValueAsString();
                        break;
                    default:
                        kept.Add(new UserProperty(property.Name, property.ReadValueAsString()));
                        break;
                }
            }

            userProperties = kept.Count > 0 ? [.. kept] : null;
        }

        return new BrokerMessage
        {
        MessageId = Guid.NewGuid(),
        Topic = topic,
        Payload = WholeArray(packet.Payload),
        QualityOfService = upgradeOutgoingQoS ? (byte)MqttQualityOfServiceLevel.ExactlyOnce : (byte)packet.QualityOfServiceLevel,
        Retain = packet.Retain,
        PublisherClientId = clientId,
        ExpiresAtUnixMilliseconds = packet.MessageExpiryInterval == 0 ? null : nowUnixMilliseconds + (packet.MessageExpiryInterval * 1000L),
        ContentType = packet.ContentType,
        ResponseTopic = packet.ResponseTopic,
        CorrelationData = packet.CorrelationData,
        PayloadFormatIndicator = (byte)packet.PayloadFormatIndicator,
        UserProperties = userProperties,
        TraceParent = traceParent,
        TraceState = traceState,
        };
    }

    public static MqttPublishPacket ToPublishPacket(
        BrokerMessage message,
        byte qos,
        bool retain,
        IReadOnlyList<uint>? subscriptionIdentifiers,
        ushort packetId,
        long nowUnixMilliseconds,
        string? traceParent = null) => new()
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
        UserProperties = ToUserProperties(message, traceParent ?? message.TraceParent),
        SubscriptionIdentifiers = subscriptionIdentifiers is { Count: > 0 } ids ? [.. ids] : null,
    };

    private static List<MqttUserProperty>? ToUserProperties(BrokerMessage message, string? traceParent)
    {
        if (message.UserProperties is not { Length: > 0 } && traceParent is null)
        {
            return null;
        }

        var properties = new List<MqttUserProperty>((message.UserProperties?.Length ?? 0) + 2);
        foreach (var property in message.UserProperties ?? [])
        {
            properties.Add(Encode(property.Name, property.Value));
        }

        if (traceParent is not null)
        {
            properties.Add(Encode(TraceParentProperty, traceParent));
            if (message.TraceState is { } traceState)
            {
                properties.Add(Encode(TraceStateProperty, traceState));
            }
        }

        return properties;
    }

    private static MqttUserProperty Encode(string name, string value) =>
        new(name, (ReadOnlyMemory<byte>)System.Text.Encoding.UTF8.GetBytes(value));

    public static bool IsExpired(BrokerMessage message, long nowUnixMilliseconds) =>
        message.ExpiresAtUnixMilliseconds is { } expiresAt && expiresAt <= nowUnixMilliseconds;

    /// <summary>
    /// The payload as an array: the reader's own array when the payload is all of one (the reader gives every
    /// PUBLISH payload an array of its own, which nothing else holds), else a copy.
    /// </summary>
    private static byte[] WholeArray(System.Buffers.ReadOnlySequence<byte> payload) =>
        payload.IsEmpty ? []
        : payload.IsSingleSegment && System.Runtime.InteropServices.MemoryMarshal.TryGetArray(payload.First, out var segment)
            && segment.Offset == 0 && segment.Count == segment.Array!.Length ? segment.Array
        : payload.ToArray();
}
