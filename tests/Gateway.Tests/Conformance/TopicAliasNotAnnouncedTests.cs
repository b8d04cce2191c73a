using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Protocol;
using static MqttCluster.Gateway.Tests.Infrastructure.PacketBytes;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// A broker that announced no Topic Alias Maximum (0): any Topic Alias from the client is invalid [MQTT-3.3.2-9],
/// and the CONNACK says so.
/// </summary>
public sealed class TopicAliasNotAnnouncedTests(NoTopicAliasesBrokerFixture broker)
    : ConformanceTest<NoTopicAliasesBrokerFixture>(broker), IClassFixture<NoTopicAliasesBrokerFixture>
{
    [Fact]
    public async Task Any_topic_alias_is_invalid_when_none_was_announced()
    {
        await AssertPacketClosesConnectionAsync(5, Packet(0x30, String("a/b"), Properties([0x23, .. UInt16(1)]), "x"u8.ToArray()), MqttDisconnectReasonCode.TopicAliasInvalid);
    }

    [Fact]
    public async Task The_CONNACK_announces_no_topic_aliases()
    {
        var client = await ConnectAsync(MqttTransport.Tcp, MQTTnet.Formatter.MqttProtocolVersion.V500);
        Assert.Equal(0, client.ConnectResult!.TopicAliasMaximum);
    }
}
