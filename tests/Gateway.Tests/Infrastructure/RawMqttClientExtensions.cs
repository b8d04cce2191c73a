using System.Buffers;
using System.Text;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Infrastructure;

/// <summary>Short forms of the exchanges session tests do over a raw socket.</summary>
public static class RawMqttClientExtensions
{
    /// <summary>Sends CONNECT and returns the CONNACK, whatever it says.</summary>
    public static async Task<MqttConnAckPacket> ConnectAsync(this RawMqttClient client, MqttConnectPacket connect)
    {
        await client.SendAsync(connect);
        return await client.ReceiveAsync<MqttConnAckPacket>("CONNACK");
    }

    public static async Task SubscribeAsync(this RawMqttClient client, string filter, MqttQualityOfServiceLevel qos, ushort packetId = 1)
    {
        await client.SendAsync(new MqttSubscribePacket
        {
            PacketIdentifier = packetId,
            TopicFilters = [new MqttTopicFilter { Topic = filter, QualityOfServiceLevel = qos }],
        });
        var subAck = await client.ReceiveAsync<MqttSubAckPacket>($"SUBACK for '{filter}'");
        Assert.Equal(packetId, subAck.PacketIdentifier);
        Assert.Equal((int)qos, (int)Assert.Single(subAck.ReasonCodes));
    }

    public static async Task<MqttPublishPacket> ReceivePublishAsync(this RawMqttClient client, string awaited) =>
        await client.ReceiveAsync<MqttPublishPacket>(awaited);

    public static string Text(this MqttPublishPacket publish) => Encoding.UTF8.GetString(publish.Payload.ToArray());
}
