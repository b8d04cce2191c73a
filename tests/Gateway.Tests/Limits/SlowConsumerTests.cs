using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>
/// A subscriber that stops reading neither slows others down nor keeps its memory forever: it is disconnected
/// after Mqtt:SlowConsumerTimeout, while a healthy subscriber gets every message.
/// </summary>
public sealed class SlowConsumerTests(ClientLimitsBrokerFixture broker) : BrokerTest<ClientLimitsBrokerFixture>(broker), IClassFixture<ClientLimitsBrokerFixture>
{
    [Fact]
    public async Task A_subscriber_that_stops_reading_is_disconnected_and_others_get_everything()
    {
        var topic = NewTopic();
        var stuck = await ConnectRawAsync(MqttProtocolVersion.V311, new MqttConnectPacket { ClientId = NewClientId("stuck"), CleanSession = true });
        await stuck.SendAsync(new MqttSubscribePacket
        {
            PacketIdentifier = 1,
            TopicFilters = [new MqttTopicFilter { Topic = topic, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtMostOnce }],
        });
        await stuck.ReceiveAsync<MqttSubAckPacket>("SUBACK of the stuck subscriber");
        var healthy = await ConnectAsync();
        await healthy.SubscribeAsync(topic);
        var publisher = await ConnectAsync();

        // Enough to fill the socket buffers towards the stuck client (it never reads again).
        var payload = new byte[64 * 1024];
        const int count = 300;
        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, payload);
        }

        await healthy.Inbox.TakeAsync(count, $"all {count} messages at the healthy subscriber", TimeSpan.FromSeconds(30));
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Lines.Any(l => l.Contains("took none of its", StringComparison.Ordinal))),
            "the broker to disconnect the stuck subscriber",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(100));
    }
}
