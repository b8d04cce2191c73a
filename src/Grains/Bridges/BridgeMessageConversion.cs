using System.Buffers;
using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Grains.Bridges;

/// <summary>
/// Between the cluster's messages and MQTTnet's client messages. MQTT 5 properties (user properties, content type,
/// response topic, correlation data, expiry, <c>traceparent</c>) cross an MQTT 5 bridge intact; an MQTT 3.1.1 bridge
/// cannot carry them.
/// </summary>
internal static class BridgeMessageConversion
{
    private const string TraceParentProperty = "traceparent";
    private const string TraceStateProperty = "tracestate";

    public static MqttApplicationMessage ToRemote(BridgeQueuedMessage queued, bool mqtt5, long nowUnixMilliseconds)
    {
        var message = queued.Message;
        var builder = new MqttApplicationMessageBuilder()
            .WithTopic(queued.RemoteTopic)
            .WithPayload(message.Payload)
            .WithQualityOfServiceLevel((MqttQualityOfServiceLevel)queued.Qos)
            .WithRetainFlag(queued.Retain);
        if (!mqtt5)
        {
            return builder.Build();
        }

        builder.WithPayloadFormatIndicator((MqttPayloadFormatIndicator)message.PayloadFormatIndicator);
        if (message.ContentType is { } contentType)
        {
            builder.WithContentType(contentType);
        }

        if (message.ResponseTopic is { } responseTopic)
        {
            builder.WithResponseTopic(responseTopic);
        }

        if (message.CorrelationData is { } correlationData)
        {
            builder.WithCorrelationData(correlationData);
        }

        if (message.ExpiresAtUnixMilliseconds is { } expiresAt)
        {
            // The remaining lifetime, not the original interval [MQTT-3.3.2-6].
            builder.WithMessageExpiryInterval((uint)Math.Max(1, (expiresAt - nowUnixMilliseconds + 999) / 1000));
        }

        foreach (var property in message.UserProperties ?? [])
        {
            builder.WithUserProperty(property.Name, Utf8(property.Value));
        }

        if (message.TraceParent is { } traceParent)
        {
            builder.WithUserProperty(TraceParentProperty, Utf8(traceParent));
            if (message.TraceState is { } traceState)
            {
                builder.WithUserProperty(TraceStateProperty, Utf8(traceState));
            }
        }

        return builder.Build();
    }

    public static BrokerMessage ToLocal(MqttApplicationMessage message, string localTopic, byte qos, string localClientId, long nowUnixMilliseconds)
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
