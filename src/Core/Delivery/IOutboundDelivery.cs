namespace MqttCluster.Core.Delivery;

/// <summary>What <see cref="SessionDelivery{T}"/> needs to know of a message on its way to one client.</summary>
public interface IOutboundDelivery
{
    /// <summary>The PUBLISH this delivery is a copy of (the same for every subscriber and every retry).</summary>
    Guid MessageId { get; }

    string Topic { get; }

    /// <summary>The QoS it goes out with (the lower of the message's and the subscription's).</summary>
    byte QualityOfService { get; }

    /// <summary>
    /// A shared subscription's delivery: it belongs to the group, not to this session, so it is neither
    /// de-duplicated against the session's ledger nor handed back to the session when the connection ends
    /// [MQTT-4.8.2-6].
    /// </summary>
    bool IsShared { get; }
}
