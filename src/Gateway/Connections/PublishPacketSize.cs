using System.Text;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// The size of the MQTT 5 PUBLISH a delivery becomes (what <see cref="PublishPacketConversion.ToPublishPacket"/>
/// and MQTTnet's encoder produce), to honour a client's Maximum Packet Size: a packet that fits must be sent,
/// only one that does not is dropped [MQTT-3.1.2-24], [MQTT-3.1.2-25].
/// </summary>
internal static class PublishPacketSize
{
    /// <summary>Length of a W3C traceparent ("00-" + 32 + "-" + 16 + "-" + 2): the broker's own send span.</summary>
    private const int W3CTraceParentLength = 55;

    private const string TraceParentName = "traceparent";
    private const string TraceStateName = "tracestate";

    /// <summary>
    /// Bytes on the wire, fixed header included. Exact, except that a delivery with a send span counts a
    /// traceparent even if the span turns out not to be recorded (the only case where the size is an upper bound).
    /// </summary>
    public static long Of(PendingDelivery delivery, OutboundTopicAliases aliases)
    {
        var message = delivery.Message;
        var topicBytes = Encoding.UTF8.GetByteCount(message.Topic);
        long properties = aliases.PropertyBytes(message.Topic);
        properties += message.PayloadFormatIndicator != 0 ? 2 : 0;
        properties += message.ExpiresAtUnixMilliseconds is null ? 0 : 5;
        properties += StringProperty(message.ContentType) + StringProperty(message.ResponseTopic);
        properties += message.CorrelationData is { } correlation ? 3 + correlation.Length : 0;
        foreach (var id in delivery.SubscriptionIdentifiers ?? [])
        {
            properties += 1 + VariableByteIntegerSize(id);
        }

        foreach (var property in message.UserProperties ?? [])
        {
            properties += UserProperty(Encoding.UTF8.GetByteCount(property.Name), Encoding.UTF8.GetByteCount(property.Value));
        }

        var traceParentLength = delivery.SendSpan is not null
            ? Math.Max(W3CTraceParentLength, message.TraceParent?.Length ?? 0)
            : message.TraceParent?.Length;
        if (traceParentLength is { } length)
        {
            properties += UserProperty(TraceParentName.Length, length);
            properties += message.TraceState is { } state ? UserProperty(TraceStateName.Length, Encoding.UTF8.GetByteCount(state)) : 0;
        }

        var topicOnWire = aliases.SendsAliasOnly(message.Topic) ? 0 : topicBytes;
        var remaining = 2 + topicOnWire + (delivery.QualityOfService > 0 ? 2 : 0)
            + VariableByteIntegerSize(properties) + properties + message.Payload.Length;
        return 1 + VariableByteIntegerSize(remaining) + remaining;
    }

    private static long StringProperty(string? value) => value is null ? 0 : 3 + Encoding.UTF8.GetByteCount(value);

    private static long UserProperty(int nameBytes, long valueBytes) => 1 + 2 + nameBytes + 2 + valueBytes;

    private static int VariableByteIntegerSize(long value) => value switch
    {
        < 128 => 1,
        < 16_384 => 2,
        < 2_097_152 => 3,
        _ => 4,
    };
}
