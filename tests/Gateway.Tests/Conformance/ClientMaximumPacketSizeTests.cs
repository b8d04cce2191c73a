using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// The Maximum Packet Size an MQTT 5 client announces: a PUBLISH that fits is delivered, byte for byte up to the
/// limit; only one that does not fit is dropped [MQTT-3.1.2-24], [MQTT-3.1.2-25], and the next one that fits still
/// arrives.
/// </summary>
public sealed class ClientMaximumPacketSizeTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Fact]
    public async Task A_QoS_0_PUBLISH_that_fits_64_bytes_is_delivered_and_one_byte_more_is_dropped()
    {
        // The reported case: topic of 9 bytes, 32-byte payload, no properties requested, limit 64.
        var topic = $"p{Guid.NewGuid():N}"[..9];
        var subscriber = await SubscribedRawAsync(topic, maximumPacketSize: 64, topicAliasMaximum: 0, qos: 0, subscriptionIdentifier: 0);
        var publisher = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500);

        await publisher.PublishAsync(topic, new string('a', 32));
        Assert.Equal(1 + 1 + 2 + 9 + 1 + 32, (await subscriber.ReceiveBytesAsync("the 46-byte PUBLISH"))!.Length);

        // 2 + 9 + 1 + 50 = 62 remaining: exactly 64 bytes on the wire.
        await publisher.PublishAsync(topic, new string('b', 50));
        Assert.Equal(64, (await subscriber.ReceiveBytesAsync("the 64-byte PUBLISH"))!.Length);

        await publisher.PublishAsync(topic, new string('c', 51));
        await publisher.PublishAsync(topic, "after");
        var next = await subscriber.ReceivePublishAsync("the PUBLISH after the dropped one");
        Assert.Equal("after", next.Text());
    }

    [Fact]
    public async Task Properties_subscription_identifier_and_topic_alias_count_exactly()
    {
        // QoS 1 (packet id), Subscription Identifier 7, an outbound topic alias, and the publisher's Content Type,
        // Message Expiry Interval and a user property: the broker's size must be the size it sends.
        const int limit = 120;
        var topic = $"t{Guid.NewGuid():N}"[..20];
        var subscriber = await SubscribedRawAsync(topic, limit, topicAliasMaximum: 10, qos: 1, subscriptionIdentifier: 7);
        var publisher = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500);

        // The first message sets up the alias (topic and alias); later ones carry the alias only.
        await PublishAsync(publisher, topic, "x");
        await AcknowledgeAsync(subscriber, "the PUBLISH that sets up the alias");
        await PublishAsync(publisher, topic, "x");
        var small = await AcknowledgeAsync(subscriber, "the PUBLISH with the alias only");

        var fitting = 1 + (limit - small);
        await PublishAsync(publisher, topic, new string('f', fitting));
        Assert.Equal(limit, await AcknowledgeAsync(subscriber, $"the PUBLISH of exactly {limit} bytes"));

        await PublishAsync(publisher, topic, new string('g', fitting + 1));
        await PublishAsync(publisher, topic, "after");
        var next = await subscriber.ReceivePublishAsync("the PUBLISH after the dropped one");
        Assert.Equal("after", next.Text());
    }

    private static Task PublishAsync(TestClient publisher, string topic, string payload) =>
        publisher.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("text/plain")
            .WithMessageExpiryInterval(600)
            .WithUserProperty("k", "v"u8.ToArray())
            .Build());

    /// <summary>Reads the next PUBLISH, answers it with PUBACK and returns its size on the wire.</summary>
    private static async Task<int> AcknowledgeAsync(RawMqttClient subscriber, string awaited)
    {
        var bytes = (await subscriber.ReceiveBytesAsync(awaited))!;
        Assert.Equal(0x32, bytes[0] & 0xF6);

        // Fixed header (remaining length < 128 here: one byte), topic length, topic, then the packet id.
        var topicLength = (bytes[2] << 8) | bytes[3];
        await subscriber.SendBytesAsync(Packet(0x40, bytes[(4 + topicLength)..(6 + topicLength)]));
        return bytes.Length;
    }

    private async Task<RawMqttClient> SubscribedRawAsync(string topic, uint maximumPacketSize, ushort topicAliasMaximum, byte qos, int subscriptionIdentifier)
    {
        var raw = await OpenRawAsync(MqttProtocolVersion.V500);
        byte[] properties = [0x27, .. UInt32(maximumPacketSize), .. topicAliasMaximum > 0 ? [0x22, .. UInt16(topicAliasMaximum)] : Array.Empty<byte>()];
        await raw.SendBytesAsync(Connect("MQTT", 5, 0x02, Properties(properties), String(NewClientId("mps"))));
        Assert.Equal(MqttConnectReasonCode.Success, (await raw.ReceiveAsync<MQTTnet.Packets.MqttConnAckPacket>("CONNACK")).ReasonCode);

        var subscribeProperties = subscriptionIdentifier > 0 ? Properties([0x0B, (byte)subscriptionIdentifier]) : Properties();
        await raw.SendBytesAsync(Packet(0x82, UInt16(1), subscribeProperties, String(topic), [qos]));
        await raw.ReceiveAsync<MQTTnet.Packets.MqttSubAckPacket>("SUBACK");
        return raw;
    }
}
