using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// Several messages in flight to the remote, never more than its Receive Maximum, in order: a queue built while the
/// remote was down drains on one connection into a Mosquitto that disconnects a client exceeding it (QoS 2), and
/// arrives in order (QoS 1 and QoS 2 both several at a time, the QoS 2 PUBRELs in order).
/// </summary>
public sealed class InflightWindowTests(InflightBridgeFixture broker)
    : BridgeTest<InflightBridgeFixture>(broker), IClassFixture<InflightBridgeFixture>
{
    private const int Count = 300;

    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task A_queue_drains_in_order_within_the_remotes_receive_maximum(MqttQualityOfServiceLevel qos)
    {
        var topic = $"inflight/{NewTopic()}";
        await Broker.WaitForBridgeAsync();
        var subscriberId = NewClientId("s");
        var subscriber = await ConnectRemoteAsync(MqttProtocolVersion.V500, subscriberId, cleanSession: false);
        await subscriber.SubscribeAsync(topic, qos);
        await Broker.Remote.StopAsync();
        await Broker.WaitForBridgeAsync(connected: false);

        var sent = Enumerable.Range(0, Count).Select(i => $"q{i:D4}").ToList();
        var local = await ConnectAsync();
        foreach (var payload in sent)
        {
            await local.PublishAsync(topic, payload, qos);
        }

        var connectionsBefore = Connections();
        await Broker.Remote.StartAgainAsync();
        var again = await ConnectRemoteAsync(MqttProtocolVersion.V500, subscriberId, cleanSession: false);
        var received = await again.Inbox.TakeAsync(Count, "the queued messages", TimeSpan.FromSeconds(60));

        Assert.Equal(sent, received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(qos, m.QualityOfService));

        // One connection drained the queue: exceeding the Receive Maximum would have cost a disconnect.
        Assert.Equal(connectionsBefore + 1, Connections());
        await Within.PollAsync(
            async () => (await Broker.Bridge.GetStatusAsync()).Queued == 0,
            "the last acknowledgements to empty the bridge's queue",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(20));
    }

    private int Connections() => Broker.Log.Lines.Count(l => l.Contains($"Bridge {Broker.BridgeName} connected to", StringComparison.Ordinal));
}
