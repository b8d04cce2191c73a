using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// PUBACK, PUBREC, PUBREL, PUBCOMP from a client (3.4-3.7, 4.3) as raw bytes: flags and lengths, acknowledgements
/// for ids the broker never used, and acknowledgements of the wrong type for a message in flight.
/// </summary>
public sealed class AcknowledgementPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<byte, byte> WrongFlags => new()
    {
        { 4, 0x41 }, { 5, 0x41 }, // PUBACK
        { 4, 0x51 }, { 5, 0x52 }, // PUBREC
        { 4, 0x60 }, { 5, 0x63 }, // PUBREL must be 0110 0010
        { 4, 0x71 }, { 5, 0x78 }, // PUBCOMP
    };

    [Theory]
    [MemberData(nameof(WrongFlags))]
    public async Task Fixed_header_flags_other_than_the_table_are_malformed(byte level, byte fixedHeader)
    {
        // [MQTT-2.1.3-1]
        await AssertPacketClosesConnectionAsync(level, Packet(fixedHeader, UInt16(1)), MqttDisconnectReasonCode.MalformedPacket);
    }

    public static TheoryData<byte, byte[]> MalformedLengths => new()
    {
        { 4, Packet(0x40, [0x00]) },                    // PUBACK with one byte
        { 4, Packet(0x40, UInt16(1), [0x00]) },         // 3.1.1 PUBACK with a reason code it does not have
        { 4, Packet(0x62, UInt16(1), [0x00, 0x00]) },   // 3.1.1 PUBREL, four bytes
        { 5, Packet(0x50, [0x00]) },                    // PUBREC with one byte
        { 5, Packet(0x40, UInt16(1), [0x00, 0x05]) },   // property length 5, nothing follows
        { 5, Packet(0x70, UInt16(1), [0x00], Properties(), [0xFF]) }, // a byte after the properties
        { 5, Packet(0x40, UInt16(1), [0x00], Properties([0x23, .. UInt16(1)])) }, // Topic Alias (2.2.2.2)
    };

    [Theory]
    [MemberData(nameof(MalformedLengths))]
    public async Task Malformed_acknowledgements_are_malformed_packets(byte level, byte[] packet)
    {
        await AssertPacketClosesConnectionAsync(level, packet, MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Packet_identifier_0_is_a_protocol_error(byte level)
    {
        // [MQTT-2.2.1-3]: no flow uses id 0.
        await AssertPacketClosesConnectionAsync(level, Packet(0x40, UInt16(0)), MqttDisconnectReasonCode.ProtocolError);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task PUBREL_for_an_unknown_id_gets_PUBCOMP_packet_identifier_not_found(byte level)
    {
        // 4.3.3: the receiver answers every PUBREL; MQTT 5 names the unknown id (0x92).
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(Packet(0x62, UInt16(4711)));
        var pubComp = await raw.ReceiveAsync<MqttPubCompPacket>("PUBCOMP");
        Assert.Equal(4711, pubComp.PacketIdentifier);
        Assert.Equal(level == 5 ? MqttPubCompReasonCode.PacketIdentifierNotFound : MqttPubCompReasonCode.Success, pubComp.ReasonCode);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task PUBREC_for_an_unknown_id_gets_PUBREL_packet_identifier_not_found(byte level)
    {
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(Packet(0x50, UInt16(4712)));
        var pubRel = await raw.ReceiveAsync<MqttPubRelPacket>("PUBREL");
        Assert.Equal(4712, pubRel.PacketIdentifier);
        Assert.Equal(level == 5 ? MqttPubRelReasonCode.PacketIdentifierNotFound : MqttPubRelReasonCode.Success, pubRel.ReasonCode);
    }

    [Theory]
    [InlineData(4, 0x40)]
    [InlineData(5, 0x40)]
    [InlineData(4, 0x70)]
    [InlineData(5, 0x70)]
    public async Task Stray_PUBACK_or_PUBCOMP_is_ignored(byte level, byte fixedHeader)
    {
        // Nothing in flight under that id: nothing to complete, nothing to answer; the connection goes on.
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(Packet(fixedHeader, UInt16(4713)));
        await AssertStillConnectedAsync(raw);
    }

    public static TheoryData<byte, MqttQualityOfServiceLevel, byte> WrongTypes => new()
    {
        { 4, MqttQualityOfServiceLevel.AtLeastOnce, 0x50 },  // PUBREC for QoS 1
        { 5, MqttQualityOfServiceLevel.AtLeastOnce, 0x50 },
        { 5, MqttQualityOfServiceLevel.AtLeastOnce, 0x70 },  // PUBCOMP for QoS 1
        { 4, MqttQualityOfServiceLevel.ExactlyOnce, 0x40 },  // PUBACK in a QoS 2 flow
        { 5, MqttQualityOfServiceLevel.ExactlyOnce, 0x40 },
        { 5, MqttQualityOfServiceLevel.ExactlyOnce, 0x70 },  // PUBCOMP before PUBREC
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public async Task An_acknowledgement_of_the_wrong_type_for_a_message_in_flight_is_a_protocol_error(byte level, MqttQualityOfServiceLevel qos, byte fixedHeader)
    {
        // 4.3.2 / 4.3.3: QoS 1 is answered by PUBACK, QoS 2 by PUBREC and then PUBCOMP.
        var bystander = await BystanderAsync();
        var raw = await ConnectedRawAsync(level);
        var topic = NewTopic();
        await raw.SubscribeAsync(topic, qos);
        await bystander.Client.PublishAsync(topic, "in flight", qos);
        var publish = await raw.ReceivePublishAsync("the QoS 1/2 delivery");

        await raw.SendBytesAsync(Packet(fixedHeader, UInt16(publish.PacketIdentifier)));
        await AssertDisconnectedAsync(raw, level, MqttDisconnectReasonCode.ProtocolError);
        await AssertUnaffectedAsync(bystander);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task The_right_acknowledgements_complete_a_QoS_2_delivery(byte level)
    {
        var bystander = await BystanderAsync();
        var raw = await ConnectedRawAsync(level);
        var topic = NewTopic();
        await raw.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await bystander.Client.PublishAsync(topic, "exactly once", MqttQualityOfServiceLevel.ExactlyOnce);
        var publish = await raw.ReceivePublishAsync("the QoS 2 delivery");

        await raw.SendBytesAsync(Packet(0x50, UInt16(publish.PacketIdentifier)));
        Assert.Equal(publish.PacketIdentifier, (await raw.ReceiveAsync<MqttPubRelPacket>("PUBREL")).PacketIdentifier);
        await raw.SendBytesAsync(Packet(0x70, UInt16(publish.PacketIdentifier)));
        await AssertStillConnectedAsync(raw);
    }
}
