namespace MqttCluster.Gateway.Connections;

/// <summary>A QoS 1/2 PUBLISH sent to the client and not yet acknowledged.</summary>
internal sealed class InflightMessage(PendingDelivery delivery, long sequence)
{
    public PendingDelivery Delivery { get; } = delivery;

    /// <summary>Send order, so the unacknowledged messages are handed over in the order they went out.</summary>
    public long Sequence { get; } = sequence;

    public byte QualityOfService => Delivery.QualityOfService;

    /// <summary>QoS 2: PUBREC received and PUBREL sent, waiting for PUBCOMP.</summary>
    public bool Released { get; set; }

    /// <summary>Unacknowledged on the session's previous connection, not yet re-sent on this one (no room).</summary>
    public bool AwaitingResend { get; set; }
}
