using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Transport;
using MQTTnet.Packets;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// An acknowledgement from the client must be the next step of the flow of the message it names (4.3): PUBACK
/// for QoS 1, PUBREC and then PUBCOMP for QoS 2. One of the wrong type for a message in flight is a protocol error.
/// For an id with nothing in flight the flows answer themselves: PUBACK and PUBCOMP are ignored, PUBREC gets
/// PUBREL and PUBREL gets PUBCOMP, with 0x92 Packet Identifier not found in MQTT 5.
/// </summary>
internal static class AcknowledgementRules
{
    public static void Check(MqttPacket acknowledgement, InflightEntry<PendingDelivery>? inflight)
    {
        if (inflight is null)
        {
            return;
        }

        var wrong = acknowledgement switch
        {
            MqttPubAckPacket when inflight.QualityOfService != 1 => "PUBACK in a QoS 2 flow",
            MqttPubRecPacket when inflight.QualityOfService != 2 => "PUBREC for a QoS 1 message",
            MqttPubCompPacket when inflight.QualityOfService != 2 => "PUBCOMP for a QoS 1 message",
            MqttPubCompPacket when !inflight.Released => "PUBCOMP before PUBREC",
            _ => null,
        };
        if (wrong is not null)
        {
            throw MqttProtocolError.ProtocolViolation($"{wrong} (packet id {((MqttPacketWithIdentifier)acknowledgement).PacketIdentifier}) (4.3.2, 4.3.3).");
        }
    }
}
