using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// CONNECT (3.1) sent as raw bytes: protocol name, connect flags against the payload, UTF-8 strings, MQTT 5
/// properties. MQTT 5 hears the reason in a CONNACK; 3.1.1 is closed without one where the packet is malformed
/// [MQTT-3.1.4-1], and gets CONNACK 0x02 where the client identifier is refused [MQTT-3.1.3-9].
/// </summary>
public sealed class ConnectPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Protocol_name_other_than_MQTT_is_closed_without_CONNACK(byte level)
    {
        // [MQTT-3.1.2-1]
        await AssertMalformedConnectAsync(level, Connect("MQTX", level, 0x02, level == 5 ? Properties() : null, String(NewClientId())), connAckOnV5: false);
    }

    public static TheoryData<byte, byte, string> BadFlags => new()
    {
        { 4, 0x03, "[MQTT-3.1.2-3] reserved flag" }, { 5, 0x03, "[MQTT-3.1.2-3] reserved flag" },
        { 4, 0x0A, "[MQTT-3.1.2-11] will QoS without will flag" }, { 5, 0x0A, "[MQTT-3.1.2-11] will QoS without will flag" },
        { 4, 0x22, "[MQTT-3.1.2-13] will retain without will flag" }, { 5, 0x22, "[MQTT-3.1.2-13] will retain without will flag" },
        { 4, 0x82, "[MQTT-3.1.2-19] user name flag without user name" }, { 5, 0x82, "[MQTT-3.1.2-19] user name flag without user name" },
        { 5, 0x42, "[MQTT-3.1.2-21] password flag without password" },
    };

    [Theory]
    [MemberData(nameof(BadFlags))]
    public async Task Connect_flags_that_do_not_match_the_packet_are_malformed(byte level, byte flags, string rule)
    {
        Assert.NotEmpty(rule);
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, flags, level == 5 ? Properties() : null, String(NewClientId())));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Will_QoS_3_is_malformed(byte level)
    {
        // [MQTT-3.1.2-14]
        byte[] will = level == 5 ? [.. Properties(), .. String("will/topic"), .. String("bye")] : [.. String("will/topic"), .. String("bye")];
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, 0x1E, level == 5 ? Properties() : null, String(NewClientId()), will));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task A_user_name_without_its_flag_is_malformed(byte level)
    {
        // [MQTT-3.1.2-18]: flag 0, yet a user name follows the client id.
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, 0x02, level == 5 ? Properties() : null, String(NewClientId()), String("user")));
    }

    [Fact]
    public async Task V311_password_without_user_name_is_malformed()
    {
        // [MQTT-3.1.2-22]
        await AssertMalformedConnectAsync(4, Connect("MQTT", 4, 0x42, null, String(NewClientId()), String("secret")));
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task Fixed_header_flags_other_than_0_are_malformed(byte level)
    {
        // [MQTT-2.1.3-1]
        var connect = Connect(level, NewClientId());
        connect[0] = 0x11;
        await AssertMalformedConnectAsync(level, connect);
    }

    [Fact]
    public async Task V5_CONNECT_without_its_property_length_is_malformed()
    {
        // Flags, keep-alive, then the client id where the property length should be: the string's length bytes
        // read as a property length of 0 leave a stray byte, so the packet cannot be parsed.
        await AssertMalformedConnectAsync(5, Connect("MQTT", 5, 0x02, null, String(NewClientId())));
    }

    public static TheoryData<string, byte[], int> ProtocolErrorProperties => new()
    {
        { "Maximum Packet Size 0", [0x27, .. UInt32(0)], 0x82 },
        { "Receive Maximum 0", [0x21, .. UInt16(0)], 0x82 },
        { "Session Expiry Interval twice", [0x11, .. UInt32(10), 0x11, .. UInt32(20)], 0x82 },
        { "Request Problem Information 2", [0x17, 2], 0x82 },
        { "Topic Alias, which CONNECT does not have", [0x23, .. UInt16(1)], 0x81 },
        { "Reason String, which CONNECT does not have", [0x1F, .. String("why")], 0x81 },
    };

    [Theory]
    [MemberData(nameof(ProtocolErrorProperties))]
    public async Task V5_CONNECT_properties_are_checked(string property, byte[] bytes, int reason)
    {
        // 3.1.2.11: values the specification forbids are protocol errors (0x82); an identifier CONNECT does not
        // have makes it malformed (0x81) (2.2.2.2).
        Assert.NotEmpty(property);
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(MqttProtocolVersion.V500);
        await raw.SendBytesAsync(Connect("MQTT", 5, 0x02, Properties(bytes), String(NewClientId())));
        await AssertConnectRefusedAsync(raw, 5, (MqttConnectReasonCode)reason, MqttConnectReturnCode.ConnectionRefusedServerUnavailable);
        await AssertUnaffectedAsync(bystander);
    }

    [Fact]
    public async Task Maximum_Packet_Size_smaller_than_the_CONNACK_is_closed_without_one()
    {
        // [MQTT-3.1.2-24]: the broker must not send a packet larger than the client's limit, the CONNACK included.
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(MqttProtocolVersion.V500);
        await raw.SendBytesAsync(Connect("MQTT", 5, 0x02, Properties([0x27, .. UInt32(8)]), String(NewClientId())));
        await AssertClosedWithoutConnAckAsync(raw);
        await AssertUnaffectedAsync(bystander);
    }

    [Fact]
    public async Task Maximum_Packet_Size_that_holds_the_CONNACK_is_accepted()
    {
        var raw = await OpenRawAsync(MqttProtocolVersion.V500);
        await raw.SendBytesAsync(Connect("MQTT", 5, 0x02, Properties([0x27, .. UInt32(128)]), String(NewClientId())));
        var connAck = await raw.ReceiveAsync<MQTTnet.Packets.MqttConnAckPacket>("CONNACK");
        Assert.Equal(MqttConnectReasonCode.Success, connAck.ReasonCode);
    }

    [Fact]
    public async Task V31_empty_client_id_gets_CONNACK_identifier_rejected()
    {
        // MQTT 3.1 requires 1 to 23 characters: CONNACK 0x02, then close.
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(MqttProtocolVersion.V310);
        await raw.SendBytesAsync(Connect("MQIsdp", 3, 0x02, null, String(string.Empty)));
        await AssertConnectRefusedAsync(raw, 3, MqttConnectReasonCode.ClientIdentifierNotValid, MqttConnectReturnCode.ConnectionRefusedIdentifierRejected);
        await AssertUnaffectedAsync(bystander);
    }

    public static TheoryData<byte, string> MalformedStrings => ForBothLevels(PacketBytes.MalformedUtf8);

    public static TheoryData<byte, string> RefusedStrings => ForBothLevels(PacketBytes.RefusedUtf8);

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public async Task Client_id_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        // [MQTT-1.5.4-1], [MQTT-1.5.4-2]
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, 0x02, level == 5 ? Properties() : null, String(BadUtf8(kind))));
    }

    [Theory]
    [MemberData(nameof(RefusedStrings))]
    public async Task Client_id_with_control_or_non_characters_is_refused_as_an_identifier(byte level, string kind)
    {
        // 1.5.4 lets the server refuse them; [MQTT-3.1.3-9] says how: CONNACK 0x85 / 0x02.
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(VersionOf(level));
        await raw.SendBytesAsync(Connect("MQTT", level, 0x02, level == 5 ? Properties() : null, String(BadUtf8(kind))));
        await AssertConnectRefusedAsync(raw, level, MqttConnectReasonCode.ClientIdentifierNotValid, MqttConnectReturnCode.ConnectionRefusedIdentifierRejected);
        await AssertUnaffectedAsync(bystander);
    }

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public async Task User_name_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, 0x82, level == 5 ? Properties() : null, String(NewClientId()), String(BadUtf8(kind))));
    }

    [Theory]
    [MemberData(nameof(RefusedStrings))]
    public async Task User_name_with_control_or_non_characters_is_refused(byte level, string kind)
    {
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(VersionOf(level));
        await raw.SendBytesAsync(Connect("MQTT", level, 0x82, level == 5 ? Properties() : null, String(NewClientId()), String(BadUtf8(kind))));
        await AssertConnectRefusedAsync(raw, level, MqttConnectReasonCode.BadUserNameOrPassword, MqttConnectReturnCode.ConnectionRefusedBadUsernameOrPassword);
        await AssertUnaffectedAsync(bystander);
    }

    [Theory]
    [MemberData(nameof(MalformedStrings))]
    public async Task Will_topic_that_is_not_valid_UTF_8_is_malformed(byte level, string kind)
    {
        byte[] will = [.. level == 5 ? Properties() : [], .. String(BadUtf8(kind)), .. String("bye")];
        await AssertMalformedConnectAsync(level, Connect("MQTT", level, 0x06, level == 5 ? Properties() : null, String(NewClientId()), will));
    }

    [Fact]
    public async Task V5_will_topic_with_a_control_character_gets_topic_name_invalid()
    {
        byte[] will = [.. Properties(), .. String(BadUtf8("control")), .. String("bye")];
        var raw = await OpenRawAsync(MqttProtocolVersion.V500);
        await raw.SendBytesAsync(Connect("MQTT", 5, 0x06, Properties(), String(NewClientId()), will));
        await AssertConnectRefusedAsync(raw, 5, MqttConnectReasonCode.TopicNameInvalid, MqttConnectReturnCode.ConnectionRefusedServerUnavailable);
    }

    /// <summary>MQTT 5: CONNACK 0x81 Malformed Packet, then close; 3.1.1: closed without CONNACK [MQTT-3.1.4-1].</summary>
    private async Task AssertMalformedConnectAsync(byte level, byte[] connect, bool connAckOnV5 = true)
    {
        var bystander = await BystanderAsync();
        var raw = await OpenRawAsync(VersionOf(level));
        await raw.SendBytesAsync(connect);
        if (level == 5 && connAckOnV5)
        {
            await AssertConnectRefusedAsync(raw, level, MqttConnectReasonCode.MalformedPacket, MqttConnectReturnCode.ConnectionRefusedServerUnavailable);
        }
        else
        {
            await AssertClosedWithoutConnAckAsync(raw);
        }

        await AssertUnaffectedAsync(bystander);
    }
}
