namespace MqttCluster.Core.Delivery;

/// <summary>A QoS 1/2 PUBLISH sent to the client (or to be re-sent on resume) and not yet acknowledged.</summary>
public sealed class InflightEntry<T>(ushort packetId, T delivery, long sequence)
    where T : IOutboundDelivery
{
    public ushort PacketId { get; } = packetId;

    public T Delivery { get; } = delivery;

    /// <summary>Send order, so the unacknowledged messages are handed over in the order they went out.</summary>
    internal long Sequence { get; } = sequence;

    public byte QualityOfService => Delivery.QualityOfService;

    /// <summary>QoS 2: PUBREC received and PUBREL sent, waiting for PUBCOMP.</summary>
    public bool Released { get; internal set; }

    /// <summary>Unacknowledged on the session's previous connection, not yet re-sent on this one (no room).</summary>
    internal bool AwaitingResend { get; set; }
}
