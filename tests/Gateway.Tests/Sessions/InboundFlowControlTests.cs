using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// Inbound flow control that survives a stalled cluster (issue 16 item 10): while the cluster has not answered a
/// v5 client's QoS 1 PUBLISHes (a silo failover stalls them for seconds), the broker stops reading from that client
/// once its Receive Maximum is reached, and TCP holds the client back, instead of disconnecting it with 0x93 for a
/// delay that is the broker's. MQTT.js, for one, does not count the server's Receive Maximum.
/// </summary>
public sealed class InboundFlowControlTests(RefusingBrokerFixture broker) : BrokerTest<RefusingBrokerFixture>(broker), IClassFixture<RefusingBrokerFixture>
{
    [Fact]
    public async Task QoS_1_stream_past_the_receive_maximum_while_the_cluster_stalls_is_held_back_not_disconnected()
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await OpenRawAsync(MqttProtocolVersion.V500);
        var connAck = await publisher.ConnectAsync(new MqttConnectPacket { ClientId = NewClientId("stream"), CleanSession = true, KeepAlivePeriod = 0 });
        var count = (connAck.ReceiveMaximum * 2) + 50;
        var method = nameof(MqttCluster.Grains.ITopicGrain.PublishAsync);
        var held = Broker.Holds.Hold(method, topic);

        // The client does not wait for PUBACKs, as MQTT.js streaming at a steady rate into a stall.
        for (var id = 1; id <= count; id++)
        {
            await publisher.SendAsync(new MqttPublishPacket
            {
                Topic = topic,
                PayloadSegment = System.Text.Encoding.UTF8.GetBytes($"m{id}"),
                QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce,
                PacketIdentifier = (ushort)id,
            });
        }

        await publisher.SendAsync(MqttPingReqPacket.Instance);
        await held;
        Broker.Holds.Release(method, topic);

        // Every PUBLISH acknowledged, in order, and the PINGRESP that was read behind them (it is answered when read,
        // so it may come before the last PUBACKs); no DISCONNECT.
        var acknowledged = new List<ushort>();
        var pinged = false;
        while (acknowledged.Count < count || !pinged)
        {
            switch (await publisher.ReceiveAsync("PUBACKs and PINGRESP"))
            {
                case MqttPingRespPacket:
                    pinged = true;
                    break;
                case MqttPubAckPacket pubAck:
                    Assert.Equal(MqttPubAckReasonCode.Success, pubAck.ReasonCode);
                    acknowledged.Add(pubAck.PacketIdentifier);
                    break;
                case var other:
                    Assert.Fail($"expected PUBACK or PINGRESP, got {other?.ToString() ?? "the connection closed"}");
                    break;
            }
        }

        Assert.Equal(Enumerable.Range(1, count).Select(i => (ushort)i), acknowledged);
        var received = await subscriber.Inbox.TakeAsync(count, "every message");
        Assert.Equal(Enumerable.Range(1, count).Select(i => $"m{i}"), received.Select(m => m.Text));
    }
}
