using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// Packets only a server sends (CONNACK, SUBACK, UNSUBACK, PINGRESP), AUTH while no authentication method is in
/// use, and reserved packet types: well-formed packets the client may not send are protocol errors (0x82),
/// reserved types are malformed (0x81) (4.13.1).
/// </summary>
public sealed class ServerOnlyPacketConformanceTests(BrokerFixture broker) : ConformanceTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<byte, byte[]> ServerPackets()
    {
        var data = new TheoryData<byte, byte[]>();
        foreach (var level in new byte[] { 4, 5 })
        {
            data.Add(level, [0x20, 0x02, 0x00, 0x00]);       // CONNACK
            data.Add(level, [0x90, 0x03, 0x00, 0x01, 0x00]); // SUBACK
            data.Add(level, [0xB0, 0x02, 0x00, 0x01]);       // UNSUBACK
            data.Add(level, [0xD0, 0x00]);                   // PINGRESP
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ServerPackets))]
    public async Task A_packet_only_servers_send_is_a_protocol_error(byte level, byte[] packet)
    {
        await AssertPacketClosesConnectionAsync(level, packet, MqttDisconnectReasonCode.ProtocolError);
    }

    [Fact]
    public async Task AUTH_without_an_authentication_method_in_use_is_a_protocol_error()
    {
        // 4.12: no CONNECT named an Authentication Method, so no AUTH exchange can be going on.
        await AssertPacketClosesConnectionAsync(5, [0xF0, 0x00], MqttDisconnectReasonCode.ProtocolError);
    }

    [Theory]
    [InlineData(4, 0xF0)] // AUTH does not exist in 3.1.1: a reserved type
    [InlineData(4, 0x00)]
    [InlineData(5, 0x00)]
    public async Task A_reserved_packet_type_is_malformed(byte level, byte fixedHeader)
    {
        await AssertPacketClosesConnectionAsync(level, [fixedHeader, 0x00], MqttDisconnectReasonCode.MalformedPacket);
    }
}
