using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>
/// Base of the packet conformance tests: raw bytes in, the broker's exact answer out, and a bystander (an MQTTnet
/// client connected before the bad bytes) that must still be served afterwards.
/// </summary>
public abstract class ConformanceTest<TFixture>(TFixture broker) : BrokerTest<TFixture>(broker)
    where TFixture : BrokerFixture
{
    /// <summary>3.1.1 and 5, as protocol levels, for theories.</summary>
    public static TheoryData<byte> Levels => new() { 4, 5 };

    protected static MqttProtocolVersion VersionOf(byte level) => level == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;

    /// <summary>Each kind of string for 3.1.1 and for 5, for theories.</summary>
    public static TheoryData<byte, string> ForBothLevels(string[] kinds)
    {
        var data = new TheoryData<byte, string>();
        foreach (var kind in kinds)
        {
            data.Add(4, kind);
            data.Add(5, kind);
        }

        return data;
    }

    /// <summary>
    /// A client connected at <paramref name="level"/> sends <paramref name="packet"/>; the broker closes that
    /// connection with <paramref name="reason"/> (MQTT 5) while a bystander is served as before.
    /// </summary>
    protected async Task AssertPacketClosesConnectionAsync(byte level, byte[] packet, MqttDisconnectReasonCode reason)
    {
        var bystander = await BystanderAsync();
        var raw = await ConnectedRawAsync(level);
        await raw.SendBytesAsync(packet);
        await AssertDisconnectedAsync(raw, level, reason);
        await AssertUnaffectedAsync(bystander);
    }

    /// <summary>A client that connected normally, subscribed to a topic of its own, before the test misbehaves.</summary>
    protected async Task<(TestClient Client, string Topic)> BystanderAsync()
    {
        var client = await ConnectAsync(MqttTransport.Tcp, MqttProtocolVersion.V500);
        var topic = NewTopic("bystander");
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return (client, topic);
    }

    /// <summary>The bystander is still connected and gets what it publishes to itself.</summary>
    protected static async Task AssertUnaffectedAsync((TestClient Client, string Topic) bystander)
    {
        Assert.False(bystander.Client.Disconnected.IsCompleted, "the bystander was disconnected");
        var marker = NewMarker();
        await bystander.Client.PublishAsync(bystander.Topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(marker, (await bystander.Client.Inbox.NextAsync("the bystander's own message")).Text);
    }

    /// <summary>A raw connection that completed a clean CONNECT at <paramref name="level"/>.</summary>
    protected async Task<RawMqttClient> ConnectedRawAsync(byte level, string? clientId = null)
    {
        var raw = await OpenRawAsync(VersionOf(level));
        await raw.SendBytesAsync(PacketBytes.Connect(level, clientId ?? NewClientId("raw")));
        var connAck = await raw.ReceiveAsync<MqttConnAckPacket>("CONNACK");
        Assert.Equal(MqttConnectReasonCode.Success, connAck.ReasonCode);
        return raw;
    }

    /// <summary>
    /// The broker closes the connection: MQTT 5 after a DISCONNECT with <paramref name="reason"/>, 3.1.1 without
    /// sending anything (it has no DISCONNECT from the server).
    /// </summary>
    protected static async Task AssertDisconnectedAsync(RawMqttClient raw, byte level, MqttDisconnectReasonCode reason)
    {
        var packets = await raw.ReceiveUntilClosedAsync($"the broker to close the connection ({reason})");
        if (level == 5)
        {
            var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets));
            Assert.Equal(reason, disconnect.ReasonCode);
        }
        else
        {
            Assert.Empty(packets);
        }
    }

    /// <summary>
    /// The broker answers a CONNECT with exactly one CONNACK and closes: MQTT 5 with <paramref name="reason"/>,
    /// 3.1/3.1.1 with <paramref name="returnCode"/>.
    /// </summary>
    protected static async Task AssertConnectRefusedAsync(RawMqttClient raw, byte level, MqttConnectReasonCode reason, MqttConnectReturnCode returnCode)
    {
        var packets = await raw.ReceiveUntilClosedAsync($"CONNACK {reason} / {returnCode} and the close");
        var connAck = Assert.IsType<MqttConnAckPacket>(Assert.Single(packets));
        if (level == 5)
        {
            Assert.Equal(reason, connAck.ReasonCode);
        }
        else
        {
            Assert.Equal(returnCode, connAck.ReturnCode);
        }
    }

    /// <summary>The broker closes the connection without answering the CONNECT [MQTT-3.1.4-1].</summary>
    protected static async Task AssertClosedWithoutConnAckAsync(RawMqttClient raw)
    {
        var packets = await raw.ReceiveUntilClosedAsync("the broker to close the connection without CONNACK");
        Assert.Empty(packets);
    }

    /// <summary>The connection is still served: PINGREQ gets PINGRESP as the next packet.</summary>
    protected static async Task AssertStillConnectedAsync(RawMqttClient raw)
    {
        await raw.SendBytesAsync([0xC0, 0x00]);
        await raw.ReceiveAsync<MqttPingRespPacket>("PINGRESP");
    }
}
