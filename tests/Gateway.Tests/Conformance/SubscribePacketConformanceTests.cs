using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>SUBSCRIBE (3.8) as raw bytes: flags, packet identifier, payload, subscription options, UTF-8 filters.</summary>
public sealed class SubscribePacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<byte, byte> WrongFlags => new() { { 4, 0x80 }, { 5, 0x80 }, { 4, 0x83 }, { 5, 0x83 }, { 5, 0x8A } };

    [Theory]
    [MemberData(nameof(WrongFlags))]
    public async Task Fixed_header_flags_other_than_0010_are_malformed(byte level, byte fixedHeader)
    {
        // [MQTT-3.8.1-1], [MQTT-2.1.3-1]
        await AssertPacketClosesConnectionAsync(level, Packet(fixedHeader, UInt16(1), Props(level), String("a/b"), [1]), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Packet_identifier_0_is_a_protocol_error(byte level)
    {
        // [MQTT-2.2.1-3]
        await AssertPacketClosesConnectionAsync(level, Packet(0x82, UInt16(0), Props(level), String("a/b"), [1]), MqttDisconnectReasonCode.ProtocolError);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task SUBSCRIBE_without_a_topic_filter_is_a_protocol_error(byte level)
    {
        // [MQTT-3.8.3-3]
        await AssertPacketClosesConnectionAsync(level, Packet(0x82, UInt16(1), Props(level)), MqttDisconnectReasonCode.ProtocolError);
    }

    public static TheoryData<byte, byte, int> BadOptions => new()
    {
        { 4, 0x03, 0x81 }, // QoS 3 [MQTT-3-8.3-4]
        { 4, 0x04, 0x81 }, // reserved bit [MQTT-3-8.3-4]
        { 4, 0x80, 0x81 },
        { 5, 0x40, 0x81 }, // reserved bits [MQTT-3.8.3-5]
        { 5, 0x80, 0x81 },
        { 5, 0x03, 0x82 }, // Maximum QoS 3 (3.8.3.1)
        { 5, 0x30, 0x82 }, // Retain Handling 3 (3.8.3.1)
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public async Task Subscription_options_are_checked(byte level, byte options, int reason)
    {
        await AssertPacketClosesConnectionAsync(level, Packet(0x82, UInt16(1), Props(level), String("a/b"), [options]), (MqttDisconnectReasonCode)reason);
    }

    [Fact]
    public async Task Subscription_Identifier_0_is_a_protocol_error()
    {
        // 3.8.2.1.2
        await AssertPacketClosesConnectionAsync(5, Packet(0x82, UInt16(1), Properties([0x0B, 0]), String("a/b"), [1]), MqttDisconnectReasonCode.ProtocolError);
    }

    [Fact]
    public async Task A_property_SUBSCRIBE_does_not_have_is_malformed()
    {
        // (2.2.2.2)
        await AssertPacketClosesConnectionAsync(5, Packet(0x82, UInt16(1), Properties([0x23, .. UInt16(1)]), String("a/b"), [1]), MqttDisconnectReasonCode.MalformedPacket);
    }

    public static TheoryData<byte, string> MalformedFilters => ForBothLevels(PacketBytes.MalformedUtf8);

    public static TheoryData<byte, string> RefusedFilters => ForBothLevels(PacketBytes.RefusedUtf8);

    [Theory]
    [MemberData(nameof(MalformedFilters))]
    public async Task Topic_filter_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        // [MQTT-1.5.4-1], [MQTT-1.5.4-2]
        await AssertPacketClosesConnectionAsync(level, Packet(0x82, UInt16(1), Props(level), String(BadUtf8(kind)), [1]), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(RefusedFilters))]
    public async Task Topic_filter_with_control_or_non_characters_is_an_invalid_filter(byte level, string kind)
    {
        await AssertPacketClosesConnectionAsync(level, Packet(0x82, UInt16(1), Props(level), String(BadUtf8(kind)), [1]), MqttDisconnectReasonCode.TopicFilterInvalid);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task A_valid_SUBSCRIBE_is_still_answered(byte level)
    {
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(Packet(0x82, UInt16(9), Props(level), String(NewTopic()), [1]));
        var subAck = await raw.ReceiveAsync<MQTTnet.Packets.MqttSubAckPacket>("SUBACK");
        Assert.Equal(9, subAck.PacketIdentifier);
        Assert.Equal(MqttSubscribeReasonCode.GrantedQoS1, Assert.Single(subAck.ReasonCodes));
    }

    private static byte[] Props(byte level) => level == 5 ? Properties() : [];
}
