using MqttCluster.Core.Delivery;

namespace MqttCluster.Core.Tests.Delivery;

/// <summary>A message on its way to the client under test.</summary>
internal sealed record TestDelivery(Guid MessageId, string Topic, byte QualityOfService, bool IsShared = false) : IOutboundDelivery
{
    public static TestDelivery Qos(byte qos, string topic = "t") => new(Guid.NewGuid(), topic, qos);
}

/// <summary>One packet <see cref="SessionDelivery{T}"/> asked the connection to write.</summary>
internal sealed record SentPacket(string Kind, ushort PacketId, TestDelivery? Delivery, bool Duplicate);

/// <summary>Records what the state machine sends and drops; refuses the deliveries a test marks.</summary>
internal sealed class RecordingOutput : ISessionDeliveryOutput<TestDelivery>
{
    public List<SentPacket> Sent { get; } = [];

    public List<string> Drops { get; } = [];

    public HashSet<Guid> Refused { get; } = [];

    public HashSet<Guid> ExpireWhileQueued { get; } = [];

    public int UnsentCount { get; set; }

    public IEnumerable<SentPacket> Publishes => Sent.Where(p => p.Kind == "PUBLISH");

    public bool Admit(TestDelivery delivery)
    {
        if (Refused.Contains(delivery.MessageId))
        {
            Drops.Add("refused");
            return false;
        }

        return true;
    }

    public bool Expired(TestDelivery delivery)
    {
        if (ExpireWhileQueued.Contains(delivery.MessageId))
        {
            Drops.Add("expired");
            return true;
        }

        return false;
    }

    public void SendPublish(TestDelivery delivery, ushort packetId, bool duplicate) =>
        Sent.Add(new SentPacket("PUBLISH", packetId, delivery, duplicate));

    public void SendPubRel(ushort packetId) => Sent.Add(new SentPacket("PUBREL", packetId, null, false));

    public void Drop(string reason, string detail) => Drops.Add(reason);
}
