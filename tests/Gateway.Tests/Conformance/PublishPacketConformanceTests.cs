using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>PUBLISH from a client (3.3) as raw bytes: flags, topic name, packet identifier, MQTT 5 properties.</summary>
public sealed class PublishPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Levels))]
    public async Task QoS_0_with_DUP_is_malformed(byte level)
    {
        // [MQTT-3.3.1-2]
        await AssertPacketClosesConnectionAsync(level, Packet(0x38, String("a/b"), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task QoS_3_is_malformed(byte level)
    {
        // [MQTT-3.3.1-4]
        await AssertPacketClosesConnectionAsync(level, Packet(0x36, String("a/b"), UInt16(1), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task QoS_1_with_packet_identifier_0_is_a_protocol_error(byte level)
    {
        // [MQTT-2.2.1-3]
        await AssertPacketClosesConnectionAsync(level, Packet(0x32, String("a/b"), UInt16(0), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.ProtocolError);
    }

    [Fact]
    public async Task Topic_Alias_0_is_invalid()
    {
        // [MQTT-3.3.2-8]
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x23, .. UInt16(0)]), "x"u8.ToArray()), MqttDisconnectReasonCode.TopicAliasInvalid);
    }

    [Fact]
    public async Task Topic_Alias_above_the_announced_maximum_is_invalid()
    {
        // [MQTT-3.3.2-9]: the broker announced Mqtt:TopicAliasMaximum (64).
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x23, .. UInt16(65)]), "x"u8.ToArray()), MqttDisconnectReasonCode.TopicAliasInvalid);
    }

    [Fact]
    public async Task V5_PUBLISH_without_its_property_length_is_malformed()
    {
        // 3.3.2.3.1: the property length is always there; a QoS 0 PUBLISH with an empty payload ends at the topic.
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b")), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task Subscription_Identifier_from_a_client_is_a_protocol_error()
    {
        // [MQTT-3.3.4-6]
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x0B, 1]), "x"u8.ToArray()), MqttDisconnectReasonCode.ProtocolError);
    }

    [Fact]
    public async Task A_property_PUBLISH_does_not_have_is_malformed()
    {
        // (2.2.2.2): Session Expiry Interval belongs to CONNECT and DISCONNECT.
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x11, .. UInt32(1)]), "x"u8.ToArray()), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task A_repeated_single_property_is_a_protocol_error()
    {
        // 2.2.2.2: Message Expiry Interval may appear once.
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x02, .. UInt32(5), 0x02, .. UInt32(6)]), "x"u8.ToArray()), MqttDisconnectReasonCode.ProtocolError);
    }

    public static TheoryData<byte, string> MalformedTopics => ForBothLevels(PacketBytes.MalformedUtf8);

    public static TheoryData<byte, string> RefusedTopics => ForBothLevels(PacketBytes.RefusedUtf8);

    [Theory]
    [MemberData(nameof(MalformedTopics))]
    public async Task Topic_name_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        // [MQTT-1.5.4-1], [MQTT-1.5.4-2]
        await AssertPacketClosesConnectionAsync(level, Packet(0x30, String(BadUtf8(kind)), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(RefusedTopics))]
    public async Task Topic_name_with_control_or_non_characters_is_an_invalid_topic_name(byte level, string kind)
    {
        // 1.5.4 lets the server refuse them; Mqtt:AllowControlCharacters accepts them.
        await AssertPacketClosesConnectionAsync(level, Packet(0x30, String(BadUtf8(kind)), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.TopicNameInvalid);
    }
}
