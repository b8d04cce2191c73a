using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// Clean session 0 (3.1.1) / clean start 0 with a session expiry (5.0): subscriptions and the offline queue survive a
/// disconnect, CONNACK says the session is present, and the queue drains in order before new traffic.
/// </summary>
public sealed class PersistentSessionTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    private const int QueuedCount = 300;

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Queued_messages_arrive_in_publish_order_before_new_ones(MqttProtocolVersion version)
    {
        var clientId = NewClientId("persist");
        var topic = NewTopic();
        var subscriber = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.False(subscriber.ConnectResult!.IsSessionPresent, "a new client id has no session");
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);

        var expected = new List<(string Text, MqttQualityOfServiceLevel Qos)>();
        for (var i = 0; i < QueuedCount; i++)
        {
            // Never the last one: a QoS 0 publish is not acknowledged, so only the QoS 1/2 publish after it proves
            // the broker had it before the subscriber came back (otherwise it may legitimately arrive live).
            if (i % 10 == 5)
            {
                // QoS 0 is not queued for an offline session by default (Mosquitto's queue_qos0_messages false).
                await publisher.PublishAsync(topic, $"qos0-{i}");
                continue;
            }

            var qos = i % 3 == 0 ? MqttQualityOfServiceLevel.ExactlyOnce : MqttQualityOfServiceLevel.AtLeastOnce;
            await publisher.PublishAsync(topic, $"queued-{i}", qos);
            expected.Add(($"queued-{i}", qos));
        }

        // Resumed without subscribing again ([MQTT-3.1.2-4] 3.1.1, [MQTT-3.1.2-5] 5.0), session present 1
        // ([MQTT-3.2.2-2] 3.1.1, [MQTT-3.2.2-3] 5.0).
        var resumed = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.True(resumed.ConnectResult!.IsSessionPresent, "CONNACK must say the session is present");
        for (var i = 0; i < 20; i++)
        {
            await publisher.PublishAsync(topic, $"live-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
            expected.Add(($"live-{i}", MqttQualityOfServiceLevel.AtLeastOnce));
        }

        var received = await resumed.Inbox.TakeAsync(expected.Count, "the queued messages, then the live ones");
        Assert.Equal(expected, received.Select(m => (m.Text, m.QualityOfService)));

        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task Reconnect_while_messages_keep_coming_loses_and_repeats_none()
    {
        var clientId = NewClientId("persist");
        var topic = NewTopic();
        var subscriber = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);

        // The reconnect lands in the middle of the stream: messages before it are queued, during it reach both
        // the queue and the new connection, after it only the connection. Each must arrive once, in order.
        const int total = 400;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var publishing = Task.Run(async () =>
        {
            for (var i = 0; i < total; i++)
            {
                await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
                if (i == total / 4)
                {
                    halfway.SetResult();
                }
            }
        });
        await Within.Async(halfway.Task, "a quarter of the messages published");

        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        Assert.True(resumed.ConnectResult!.IsSessionPresent);
        await Within.Async(publishing, "the publisher to finish", TimeSpan.FromSeconds(30));

        var received = await resumed.Inbox.TakeAsync(total, "every message once", TimeSpan.FromSeconds(20));
        Assert.Equal(Enumerable.Range(0, total).Select(i => $"m-{i}"), received.Select(m => m.Text));
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Clean_start_discards_the_session(MqttProtocolVersion version)
    {
        var clientId = NewClientId("clean");
        var topic = NewTopic();
        var subscriber = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        await publisher.PublishAsync(topic, "queued for the old session", MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.1.2-4] (5.0) / [MQTT-3.1.2-6] (3.1.1): clean start discards the session; session present 0.
        var fresh = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithCleanSession(true));
        Assert.False(fresh.ConnectResult!.IsSessionPresent, "CONNACK after clean start must not say session present");

        // Neither the queued message nor the old subscription: a later message on the old topic does not come
        // either. A marker on the client's own new subscription comes after anything the broker sent before.
        var watcher = await ConnectAsync();
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "after clean start", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("after clean start", (await watcher.Inbox.NextAsync("the message on the old topic, at a watcher")).Text);
        var markerTopic = NewTopic() + "/marker";
        await fresh.SubscribeAsync(markerTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await publisher.PublishAsync(markerTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await fresh.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task V5_session_with_expiry_zero_ends_with_the_connection()
    {
        var clientId = NewClientId("zero");
        var topic = NewTopic();
        var client = await ConnectAsync(clientId: clientId, configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(0));
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.DisconnectAsync();
        await Broker.WaitForConnectionsAsync(0);

        // 3.1.2.11.2: expiry 0 (or absent) ends the session when the network connection closes.
        var again = await ConnectAsync(clientId: clientId, configure: o => o.WithCleanStart(false).WithSessionExpiryInterval(0));
        Assert.False(again.ConnectResult!.IsSessionPresent);
    }

    [Fact]
    public async Task V5_disconnect_with_session_expiry_zero_ends_the_session()
    {
        var clientId = NewClientId("endnow");
        var client = await ConnectRawAsync(MqttProtocolVersion.V500, PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        await client.SubscribeAsync(NewTopic(), MqttQualityOfServiceLevel.AtLeastOnce);

        // Hand-encoded: MQTTnet writes no Session Expiry Interval property for 0, which means "as in CONNECT".
        // DISCONNECT, remaining length 7, reason 0x00, properties length 5, Session Expiry Interval (0x11) = 0.
        await client.SendBytesAsync([0xE0, 0x07, 0x00, 0x05, 0x11, 0x00, 0x00, 0x00, 0x00]);
        Assert.Empty(await client.ReceiveUntilClosedAsync("the broker to close the connection"));
        await Broker.WaitForConnectionsAsync(0);

        // 3.14.2.2.2: a session expiry of 0 in DISCONNECT ends the session when the connection closes.
        var again = await OpenRawAsync(MqttProtocolVersion.V500);
        Assert.False((await again.ConnectAsync(PersistentSession.Connect(clientId, MqttProtocolVersion.V500))).IsSessionPresent);
    }

    [Fact]
    public async Task V5_subscription_options_survive_the_disconnect()
    {
        var clientId = NewClientId("options");
        var topic = NewTopic();
        var client = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithSubscriptionIdentifier(42)
            .WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS().WithNoLocal().WithRetainAsPublished())
            .Build());
        await client.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        await publisher.PublishAsync(topic, "queued, retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        Assert.True(resumed.ConnectResult!.IsSessionPresent);
        var queued = await resumed.Inbox.NextAsync("the queued message");
        Assert.Equal([42u], queued.Message.SubscriptionIdentifiers);
        Assert.True(queued.Retain, "retain-as-published applies to queued messages too [MQTT-3.3.1-13]");

        // No-local still holds [MQTT-3.8.3-3]: the client's own message is not sent back, the other one is.
        await resumed.PublishAsync(topic, "own", MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var live = await resumed.Inbox.UntilMarkerAsync(marker);
        Assert.Equal([marker], live.Select(m => m.Text));
        Assert.Equal([42u], live[0].Message.SubscriptionIdentifiers);
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Unsubscribe_is_remembered_by_the_session(MqttTransport transport)
    {
        var clientId = NewClientId("unsub");
        var kept = NewTopic();
        var dropped = NewTopic();
        var client = await ConnectAsync(transport, clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await client.SubscribeAsync(kept, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.SubscribeAsync(dropped, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.UnsubscribeAsync(dropped);
        await client.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);

        await publisher.PublishAsync(dropped, "unsubscribed", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(kept, "kept", MqttQualityOfServiceLevel.AtLeastOnce);

        var resumed = await ConnectAsync(transport, clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        var marker = NewMarker();
        await publisher.PublishAsync(kept, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(["kept", marker], (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }
}
