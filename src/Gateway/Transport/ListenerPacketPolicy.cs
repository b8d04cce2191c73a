using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Transport;

/// <summary>
/// What a listener changes in the packets its clients send, applied as they are read: the mount point on every
/// topic and filter, the highest QoS (Mosquitto's <c>max_qos</c>) and the largest will payload
/// (<c>message_size_limit</c>). The connection then handles the packets as if the client had sent them so.
/// </summary>
/// <param name="MaximumQoS">Announced in CONNACK; a PUBLISH or will above it is refused, a subscription is granted at most this.</param>
/// <param name="MessageSizeLimit">Largest will payload in bytes; 0 means no limit.</param>
public sealed record ListenerPacketPolicy(TopicMount Mount, MqttQualityOfServiceLevel MaximumQoS, long MessageSizeLimit)
{
    public static ListenerPacketPolicy None { get; } = new(TopicMount.None, MqttQualityOfServiceLevel.ExactlyOnce, 0);

    internal void Apply(MqttPacket packet, MqttProtocolVersion version)
    {
        switch (packet)
        {
            case MqttPublishPacket publish:
                if (publish.QualityOfServiceLevel > MaximumQoS)
                {
                    // Mosquitto disconnects such a client; MQTT 5 names the reason [MQTT-3.2.2-11].
                    throw new MqttProtocolError(MqttDisconnectReasonCode.QoSNotSupported,
                        $"PUBLISH with QoS {(int)publish.QualityOfServiceLevel} above this listener's maximum QoS {(int)MaximumQoS} [MQTT-3.2.2-11].");
                }

                if (!string.IsNullOrEmpty(publish.Topic))
                {
                    publish.Topic = Mount.Inbound(publish.Topic);
                }

                break;
            case MqttConnectPacket { WillFlag: true } connect:
                CheckWill(connect, version == MqttProtocolVersion.V500);
                connect.WillTopic = Mount.Inbound(connect.WillTopic ?? string.Empty);
                break;
            case MqttSubscribePacket subscribe:
                foreach (var filter in subscribe.TopicFilters ?? [])
                {
                    filter.Topic = Mount.InboundFilter(filter.Topic ?? string.Empty);

                    // Granted at most the listener's maximum, as Mosquitto does (3.9.3: the server may grant less).
                    if (filter.QualityOfServiceLevel > MaximumQoS && filter.QualityOfServiceLevel <= MqttQualityOfServiceLevel.ExactlyOnce)
                    {
                        filter.QualityOfServiceLevel = MaximumQoS;
                    }
                }

                break;
            case MqttUnsubscribePacket unsubscribe when !Mount.IsNone:
                for (var i = 0; i < unsubscribe.TopicFilters.Count; i++)
                {
                    unsubscribe.TopicFilters[i] = Mount.InboundFilter(unsubscribe.TopicFilters[i]);
                }

                break;
        }
    }

    private void CheckWill(MqttConnectPacket connect, bool isV5)
    {
        if (connect.WillQoS > MaximumQoS)
        {
            // Mosquitto: CONNACK 0x9B for MQTT 5 [MQTT-3.2.2-12]; a 3.1.1 client is closed without one.
            throw new MqttProtocolError(MqttDisconnectReasonCode.QoSNotSupported, $"Will QoS {(int)connect.WillQoS} above this listener's maximum QoS {(int)MaximumQoS}.")
            {
                ConnectRefusal = isV5 ? MqttConnectReasonCode.QoSNotSupported : null,
            };
        }

        if (MessageSizeLimit > 0 && connect.WillMessage is { } payload && payload.Length > MessageSizeLimit)
        {
            // Mosquitto: CONNACK 0x95 packet too large for MQTT 5, 0x05 not authorised for 3.1.1.
            throw new MqttProtocolError(MqttDisconnectReasonCode.PacketTooLarge, $"Will payload of {payload.Length} bytes exceeds message_size_limit ({MessageSizeLimit} bytes).")
            {
                ConnectRefusal = isV5 ? MqttConnectReasonCode.PacketTooLarge : MqttConnectReasonCode.NotAuthorized,
            };
        }
    }
}
