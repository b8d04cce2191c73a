using System.Buffers;
using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Between the cluster's messages and MQTT PUBLISH packets. MQTT 5 properties (user properties, content type,
/// response topic, correlation data, expiry, <c>traceparent</c>) cross an MQTT 5 bridge intact; an MQTT 3.1.1 bridge
/// cannot carry them.
/// </summary>
internal static class BridgeMessageConversion
{
    private const string TraceParentProperty = "traceparent";
    private const string TraceStateProperty = "tracestate";

    /// <summary>The PUBLISH for the remote (without packet identifier and DUP, which the session sets).</summary>
    public static MqttPublishPacket ToRemote(BridgeQueuedMessage queued, bool mqtt5, long nowUnixMilliseconds)
    {
        var message = queued.Message;
        var packet = new MqttPublishPacket
        {
            Topic = queued.RemoteTopic,
            PayloadSegment = new ArraySegment<byte>(message.Payload),
            QualityOfServiceLevel = (MqttQualityOfServiceLevel)queued.Qos,
            Retain = queued.Retain,
        };
        if (!mqtt5)
        {
            return packet;
        }

        packet.PayloadFormatIndicator = (MqttPayloadFormatIndicator)message.PayloadFormatIndicator;
        packet.ContentType = message.ContentType;
        packet.ResponseTopic = message.ResponseTopic;
        packet.CorrelationData = message.CorrelationData;
        if (message.ExpiresAtUnixMilliseconds is { } expiresAt)
        {
            // The remaining lifetime, not the original interval [MQTT-3.3.2-6].
            packet.MessageExpiryInterval = (uint)Math.Max(1, (expiresAt - nowUnixMilliseconds + 999) / 1000);
        }

        var properties = new List<MqttUserProperty>();
        foreach (var property in message.UserProperties ?? [])
        {
            properties.Add(new MqttUserProperty(property.Name, Utf8(property.Value)));
        }

        if (message.TraceParent is { } traceParent)
        {
            properties.Add(new MqttUserProperty(TraceParentProperty, Utf8(traceParent)));
            if (message.TraceState is { } traceState)
            {
                properties.Add(new MqttUserProperty(TraceStateProperty, Utf8(traceState)));
            }
        }

        packet.UserProperties = properties.Count > 0 ? properties : null;
        return packet;
    }

    public static BrokerMessage ToLocal(MqttPublishPacket message, string localTopic, byte qos, string localClientId, long nowUnixMilliseconds)
    {
        List<UserProperty>? userProperties = null;
        string? traceParent = null;
        string? traceState = null;
        foreach (var property in message.UserProperties ?? [])
        {
            var value = property.ReadValueAsString();
            switch (property.Name)
            {
                case TraceParentProperty:
                    traceParent = value;
                    break;
                case TraceStateProperty:
                    traceState = value;
                    break;
                default:
                    (userProperties ??= []).Add(new UserProperty(property.Name, value));
                    break;
            }
        }

        return new BrokerMessage
        {
            MessageId = Guid.NewGuid(),
            Topic = localTopic,
            Payload = message.Payload.IsEmpty ? [] : message.Payload.ToArray(),
            QualityOfService = qos,
            Retain = message.Retain,
            PublisherClientId = localClientId,
            ExpiresAtUnixMilliseconds = message.MessageExpiryInterval == 0 ? null : nowUnixMilliseconds + (message.MessageExpiryInterval * 1000L),
            ContentType = message.ContentType,
            ResponseTopic = message.ResponseTopic,
            CorrelationData = message.CorrelationData,
            PayloadFormatIndicator = (byte)message.PayloadFormatIndicator,
            UserProperties = userProperties is null ? null : [.. userProperties],
            TraceParent = traceParent,
            TraceState = traceState,
        };
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);

    /// <summary>A retained one-byte state message ("1" up, "0" down).</summary>
    public static byte[] StatePayload(bool up) => Encoding.ASCII.GetBytes(up ? "1" : "0");
}
