using MqttCluster.Core.Delivery;
using MqttCluster.Gateway.Telemetry;
using MqttCluster.Grains;

namespace MqttCluster.Gateway.Connections;

/// <summary>A delivery to the client as decided by fan-out: the message, the QoS and flags it goes out with.</summary>
internal sealed record PendingDelivery(
    BrokerMessage Message,
    byte QualityOfService,
    bool Retain,
    IReadOnlyList<uint>? SubscriptionIdentifiers,
    string? SharedGroupRoute,
    SendSpanParent? SendSpan = null) : IOutboundDelivery
{
    public Guid MessageId => Message.MessageId;

    public string Topic => Message.Topic;

    public bool IsShared => SharedGroupRoute is not null;

    public static PendingDelivery From(OutboundMessage message) =>
        new(message.Message, message.QualityOfService, message.Retain, message.SubscriptionIdentifiers, null);

    public OutboundMessage ToOutboundMessage(ushort packetId = 0, bool released = false) => new()
    {
        Message = Message,
        QualityOfService = QualityOfService,
        Retain = Retain,
        SubscriptionIdentifiers = SubscriptionIdentifiers is { Count: > 0 } ids ? [.. ids] : null,
        PacketId = packetId,
        Released = released,
    };
}
