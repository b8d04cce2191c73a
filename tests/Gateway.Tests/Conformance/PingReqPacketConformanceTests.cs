using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>PINGREQ (3.12): flags 0000 and no remaining length; anything else is malformed.</summary>
public sealed class PingReqPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<byte, byte> WrongFlags()
    {
        var data = new TheoryData<byte, byte>();
        foreach (var flags in new byte[] { 1, 2, 4, 8, 15 })
        {
            data.Add(4, (byte)(0xC0 | flags));
            data.Add(5, (byte)(0xC0 | flags));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(WrongFlags))]
    public async Task PINGREQ_with_flags_is_malformed(byte level, byte fixedHeader)
    {
        // [MQTT-2.1.3-1]
        await AssertPacketClosesConnectionAsync(level, [fixedHeader, 0x00], MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task PINGREQ_with_a_body_is_malformed(byte level)
    {
        // 3.12: PINGREQ has no variable header and no payload.
        await AssertPacketClosesConnectionAsync(level, [0xC0, 0x01, 0x00], MqttDisconnectReasonCode.MalformedPacket);
    }

    [Theory]
    [MemberData(nameof(Levels))]
    public async Task PINGREQ_gets_PINGRESP(byte level)
    {
        await AssertStillConnectedAsync(await ConnectedRawAsync(level));
    }
}
