using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>DISCONNECT from a client (3.14): flags 0000; no body in 3.1.1; in MQTT 5 a reason code and properties.</summary>
public sealed class DisconnectPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Levels))]
    public async Task DISCONNECT_with_flags_is_malformed(byte level)
    {
        // [MQTT-2.1.3-1]
        await AssertPacketClosesConnectionAsync(level, [0xE1, 0x00], MqttDisconnectReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task V311_DISCONNECT_with_a_body_is_malformed()
    {
        // 3.14 (3.1.1): DISCONNECT has no variable header and no payload.
        await AssertPacketClosesConnectionAsync(4, [0xE0, 0x01, 0x00], MqttDisconnectReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task V5_DISCONNECT_with_a_property_it_does_not_have_is_malformed()
    {
        // (2.2.2.2): Topic Alias is a PUBLISH property.
        await AssertPacketClosesConnectionAsync(5, Packet(0xE0, [0x00], Properties([0x23, .. UInt16(1)])), MqttDisconnectReasonCode.MalformedPacket);
    }

    [Fact]
    public async Task V5_DISCONNECT_with_reason_and_properties_closes_quietly()
    {
        var raw = await ConnectedRawAsync(5);
        await raw.SendBytesAsync(Packet(0xE0, [0x00], Properties([0x1F, .. String("bye")])));
        Assert.Empty(await raw.ReceiveUntilClosedAsync("the broker to close after DISCONNECT"));
    }
}
