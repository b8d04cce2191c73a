using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Transport;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Connections;

/// <summary>
/// A client's QoS 1/2 PUBLISHes from their arrival to their acknowledgement: the Receive Maximum quota they count
/// against (MQTT 5), the QoS 2 packet ids accepted and not yet released [MQTT-4.3.3-10], and the PUBACK, PUBREC and
/// PUBCOMP that answer them.
/// </summary>
internal sealed class InboundAcknowledgements(MqttPacketSender sender, MqttPacketReader reader)
{
    private readonly InboundQos2Ids _qos2 = new();
    private int _unacknowledged;

    private bool IsV5 => reader.ProtocolVersion == MqttProtocolVersion.V500;

    /// <summary>QoS 1/2 PUBLISHes not acknowledged yet (counted for MQTT 5 only).</summary>
    public int Unacknowledged => Volatile.Read(ref _unacknowledged);

    /// <summary>Counts a QoS 1/2 PUBLISH against the quota (MQTT 5); false when it is one too many.</summary>
    public bool TryCount(ushort receiveMaximum) => !IsV5 || Interlocked.Increment(ref _unacknowledged) <= receiveMaximum;

    /// <summary>True for a QoS 2 packet id not in flight yet; for a repeated one the PUBREC goes again and it is
    /// not forwarded twice.</summary>
    public bool TryAcceptQos2(ushort packetId)
    {
        if (_qos2.TryAccept(packetId))
        {
            return true;
        }

        // Already accepted and PUBREC'd: acknowledge again, do not forward twice [MQTT-4.3.3-10].
        sender.Send(new MqttPubRecPacket { PacketIdentifier = packetId });
        return false;
    }

    public void Restore(ushort[] qos2PacketIds) => _qos2.Restore(qos2PacketIds);

    public ushort[] Snapshot() => _qos2.Snapshot();

    /// <summary>A QoS 2 id the cluster never took leaves the accepted set: the client's re-send must be forwarded.</summary>
    public void Forget(ushort packetId) => _qos2.Forget(packetId);

    /// <summary>Answers a QoS 1/2 PUBLISH the cluster accepted (v5: 0x10 when no subscriber matched) or, for MQTT 5,
    /// failed (0x83).</summary>
    public void Acknowledge(InboundPublish publish, InboundPublishOutcome outcome)
    {
        var failed = outcome == InboundPublishOutcome.Failed;
        var noSubscribers = IsV5 && outcome == InboundPublishOutcome.AcceptedWithoutSubscribers;
        if (publish.QualityOfService == 1)
        {
            Interlocked.Decrement(ref _unacknowledged);
            sender.Send(new MqttPubAckPacket
            {
                PacketIdentifier = publish.PacketId,
                ReasonCode = failed ? MqttPubAckReasonCode.ImplementationSpecificError : noSubscribers ? MqttPubAckReasonCode.NoMatchingSubscribers : MqttPubAckReasonCode.Success,
            });
            return;
        }

        if (failed)
        {
            Interlocked.Decrement(ref _unacknowledged);
            _qos2.Forget(publish.PacketId);
        }

        sender.Send(new MqttPubRecPacket
        {
            PacketIdentifier = publish.PacketId,
            ReasonCode = failed ? MqttPubRecReasonCode.ImplementationSpecificError : noSubscribers ? MqttPubRecReasonCode.NoMatchingSubscribers : MqttPubRecReasonCode.Success,
        });
    }

    /// <summary>
    /// A PUBLISH the ACL denies: v5 hears 0x87 (not authorised); 3.1.1 has no such code, so, as Mosquitto does,
    /// it is acknowledged as if accepted and dropped. One above Mqtt:MessageSizeLimit hears 0x97 (quota exceeded):
    /// Mosquitto sends 0x95, which the specification does not allow in PUBACK/PUBREC [MQTT-3.4.2-1].
    /// </summary>
    public void AcknowledgeDenied(InboundPublish publish)
    {
        var (pubAck, pubRec) = publish.TooLarge
            ? (MqttPubAckReasonCode.QuotaExceeded, MqttPubRecReasonCode.QuotaExceeded)
            : (MqttPubAckReasonCode.NotAuthorized, MqttPubRecReasonCode.NotAuthorized);
        if (IsV5)
        {
            Interlocked.Decrement(ref _unacknowledged);
        }

        if (publish.QualityOfService == 1)
        {
            sender.Send(new MqttPubAckPacket { PacketIdentifier = publish.PacketId, ReasonCode = IsV5 ? pubAck : MqttPubAckReasonCode.Success });
            return;
        }

        if (IsV5)
        {
            // Error reason codes end the QoS 2 flow here: no PUBREL follows [MQTT-4.3.3-4].
            _qos2.Forget(publish.PacketId);
        }

        sender.Send(new MqttPubRecPacket { PacketIdentifier = publish.PacketId, ReasonCode = IsV5 ? pubRec : MqttPubRecReasonCode.Success });
    }

    /// <summary>PUBREL: the QoS 2 flow ends with PUBCOMP (v5: 0x92 for an id not in flight).</summary>
    public void Release(ushort packetId)
    {
        var (known, counted) = _qos2.Release(packetId);
        if (counted && IsV5)
        {
            Interlocked.Decrement(ref _unacknowledged);
        }

        sender.Send(new MqttPubCompPacket
        {
            PacketIdentifier = packetId,
            ReasonCode = known || !IsV5 ? MqttPubCompReasonCode.Success : MqttPubCompReasonCode.PacketIdentifierNotFound,
        });
    }
}
