using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>UNSUBSCRIBE (3.10) as raw bytes: flags, packet identifier, payload, UTF-8 filters.</summary>
public sealed class UnsubscribePacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<byte, byte> WrongFlags => new() { { 4, 0xA0 }, { 5, 0xA0 }, { 4, 0xA3 }, { 5, 0xAF } };

    [Theory]
    [MemberData(nameof(WrongFlags))]
    public async Task Fixed_header_flags_other_than_0010_are_malformed(byte level, byte fixedHeader)
    {
        // [MQTT-3.10.1-1], [MQTT-2.1.3-1]
        await AssertPacketClosesConnectionAsync(level, Packet(fixedHeader, UInt16(1), Props(level), String("a/b")), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Packet_identifier_0_is_a_protocol_error(byte level)
    {
        // [MQTT-2.2.1-3]
        await AssertPacketClosesConnectionAsync(level, Packet(0xA2, UInt16(0), Props(level), String("a/b")), MqttDisconnectReasonCode.ProtocolError);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task UNSUBSCRIBE_without_a_topic_filter_is_a_protocol_error(byte level)
    {
        // [MQTT-3.10.3-2]
        await AssertPacketClosesConnectionAsync(level, Packet(0xA2, UInt16(1), Props(level)), MqttDisconnectReasonCode.ProtocolError);
    }

    [Fact]
    public async Task A_property_UNSUBSCRIBE_does_not_have_is_malformed()
    {
        // (2.2.2.2): only User Property.
        await AssertPacketClosesConnectionAsync(5, Packet(0xA2, UInt16(1), Properties([0x0B, 1]), String("a/b")), MqttDisconnectReasonCode.MalformedPacket);
    }

    public static TheoryData<byte, string> MalformedFilters => ForBothLevels(PacketBytes.MalformedUtf8);

    public static TheoryData<byte, string> RefusedFilters => ForBothLevels(PacketBytes.RefusedUtf8);

    [Theory]
    [MemberData(nameof(MalformedFilters))]
    public async Task Topic_filter_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        // [MQTT-1.5.4-1], [MQTT-1.5.4-2]
        await AssertPacketClosesConnectionAsync(level, Packet(0xA2, UInt16(1), Props(level), String(BadUtf8(kind))), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(RefusedFilters))]
    public async Task Topic_filter_with_control_or_non_characters_is_an_invalid_filter(byte level, string kind)
    {
        await AssertPacketClosesConnectionAsync(level, Packet(0xA2, UInt16(1), Props(level), String(BadUtf8(kind))), MqttDisconnectReasonCode.TopicFilterInvalid);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task A_valid_UNSUBSCRIBE_is_still_answered(byte level)
    {
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(Packet(0xA2, UInt16(7), Props(level), String(NewTopic())));
        var unsubAck = await raw.ReceiveAsync<MQTTnet.Packets.MqttUnsubAckPacket>("UNSUBACK");
        Assert.Equal(7, unsubAck.PacketIdentifier);
    }

    private static byte[] Props(byte level) => level == 5 ? Properties() : [];
}
