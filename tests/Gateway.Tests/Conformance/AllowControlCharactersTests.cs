using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// Mqtt:AllowControlCharacters=true relaxes the refusal of control and non-characters (1.5.4 "MAY"): client ids,
/// topic names and filters with them work end to end; ill-formed UTF-8 and U+0000 are still malformed.
/// </summary>
public sealed class AllowControlCharactersTests(ControlCharactersAllowedBrokerFixture broker)
    : ConformanceTest<ControlCharactersAllowedBrokerFixture>(broker), IClassFixture<ControlCharactersAllowedBrokerFixture>
{
    public static TheoryData<byte, string> Refusable => ForBothLevels(PacketBytes.RefusedUtf8);

    public static TheoryData<byte, string> Malformed => ForBothLevels(PacketBytes.MalformedUtf8);

    [Theory]
    [MemberData(nameof(Refusable))]
    public async Task Control_and_non_characters_are_accepted_in_client_id_filter_and_topic(byte level, string kind)
    {
        var raw = await OpenRawAsync(VersionOf(level));
        byte[] clientId = [.. Utf8(NewClientId("cc")[..10]), .. BadUtf8(kind)];
        await raw.SendBytesAsync(Connect("MQTT", level, 0x02, level == 5 ? Properties() : null, String(clientId)));
        Assert.Equal(MqttConnectReasonCode.Success, (await raw.ReceiveAsync<MqttConnAckPacket>("CONNACK")).ReasonCode);

        byte[] topic = [.. Utf8(NewTopic()), .. BadUtf8(kind)];
        byte[] properties = level == 5 ? Properties() : [];
        await raw.SendBytesAsync(Packet(0x82, UInt16(1), properties, String(topic), [0]));
        Assert.Equal(MqttSubscribeReasonCode.GrantedQoS0, Assert.Single((await raw.ReceiveAsync<MqttSubAckPacket>("SUBACK")).ReasonCodes));

        await raw.SendBytesAsync(Packet(0x30, String(topic), properties, "own"u8.ToArray()));
        var publish = await raw.ReceivePublishAsync("the message on a topic with a control character");
        Assert.Equal("own", publish.Text());
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public async Task Ill_formed_UTF_8_and_U_0000_stay_malformed(byte level, string kind)
    {
        // [MQTT-1.5.4-1], [MQTT-1.5.4-2]: no switch relaxes these.
        await AssertPacketClosesConnectionAsync(level, Packet(0x30, String(BadUtf8(kind)), level == 5 ? Properties() : [], "x"u8.ToArray()), MqttDisconnectReasonCode.MalformedPacket);
    }
}
