using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// A persistent session outlives a restart of the single-node broker on its data directory: its subscriptions,
/// its queue of acknowledged QoS 1/2 messages and its unacknowledged messages, and it is routable again before
/// its client comes back.
/// </summary>
public sealed class RestartTests(RestartBrokerFixture broker) : BrokerTest<RestartBrokerFixture>(broker), IClassFixture<RestartBrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Offline_session_keeps_its_queue_and_subscriptions_across_a_restart(MqttProtocolVersion version)
    {
        var clientId = NewClientId("restart");
        var topic = NewTopic();
        var subscriber = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        await publisher.PublishAsync(topic, "before-1", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "before-2", MqttQualityOfServiceLevel.ExactlyOnce);

        await Broker.RestartAsync();

        // Acknowledged before the restart, so they must survive it; the session queues again before its client
        // is back (the session registry wakes it at start).
        var again = await ConnectAsync();
        await again.PublishAsync(topic, "after-1", MqttQualityOfServiceLevel.AtLeastOnce);
        await again.PublishAsync(topic, "after-2", MqttQualityOfServiceLevel.ExactlyOnce);

        var resumed = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.True(resumed.ConnectResult!.IsSessionPresent, "the session must survive the restart");
        var marker = NewMarker();
        await again.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(
            ["before-1", "before-2", "after-1", "after-2", marker],
            (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task Connected_session_keeps_its_unacknowledged_messages_across_a_restart()
    {
        var clientId = NewClientId("restart");
        var topic = NewTopic();
        var client = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        client.Inbox.HoldAcknowledgements = true;
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, "in flight", MqttQualityOfServiceLevel.AtLeastOnce);
        var first = await client.Inbox.NextAsync("the message before the restart");

        // The broker says goodbye (0x8B, server shutting down) and keeps the session's unfinished messages.
        await Broker.RestartAsync();
        Assert.Equal(MqttClientDisconnectReason.ServerShuttingDown, (await Within.Async(client.Disconnected, "the shutdown DISCONNECT")).Reason);

        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        Assert.True(resumed.ConnectResult!.IsSessionPresent);
        var again = await resumed.Inbox.NextAsync("the unacknowledged message after the restart");
        Assert.Equal("in flight", again.Text);
        Assert.True(again.Dup);
        Assert.Equal(first.PacketIdentifier, again.PacketIdentifier);
    }
}
