using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// A CONNECT with a client id that is connected closes the old connection (v5: DISCONNECT 0x8E) and the new one
/// continues the session [MQTT-3.1.4-3]; a client id bouncing between two connections wedges nothing.
/// </summary>
public sealed class TakeoverTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task New_connection_takes_the_session_with_its_subscriptions_and_unacknowledged_messages(MqttProtocolVersion version)
    {
        var clientId = NewClientId("takeover");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var first = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        first.Inbox.HoldAcknowledgements = true;
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "unacknowledged", MqttQualityOfServiceLevel.AtLeastOnce);
        await first.Inbox.NextAsync("the message at the first connection");

        var second = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.True(second.ConnectResult!.IsSessionPresent);

        var closed = await Within.Async(first.Disconnected, "the first connection to be closed");
        if (version == MqttProtocolVersion.V500)
        {
            // [MQTT-3.1.4-3] with reason 0x8E, session taken over (4.13).
            Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, closed.Reason);
        }

        // What the first connection had not acknowledged comes again, then live messages on the session's subscription.
        var again = await second.Inbox.NextAsync("the unacknowledged message at the second connection");
        Assert.Equal("unacknowledged", again.Text);
        Assert.True(again.Dup);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await second.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Taking_over_a_clean_session_starts_a_new_session(MqttProtocolVersion version)
    {
        var clientId = NewClientId("clean");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var first = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithCleanSession(true));
        first.Inbox.HoldAcknowledgements = true;
        await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "for the clean session", MqttQualityOfServiceLevel.AtLeastOnce);
        await first.Inbox.NextAsync("the message at the first connection");

        // The first session lasts as long as its network connection [MQTT-3.1.2-6] (5.0: expiry 0, 3.1.2.11.2):
        // it ends at the takeover, and nothing of it is reused, not even with clean start 0.
        var second = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
        Assert.False(second.ConnectResult!.IsSessionPresent);
        await Within.Async(first.Disconnected, "the first connection to be closed");
        var markerTopic = NewTopic() + "/marker";
        await second.SubscribeAsync(markerTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await publisher.PublishAsync(markerTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await second.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task Connect_right_behind_a_disconnect_keeps_the_unacknowledged_message_and_at_most_one_will()
    {
        var publisher = await ConnectAsync();
        var willTopic = NewTopic() + "/will";
        var watcher = await ConnectAsync();
        await watcher.SubscribeAsync(willTopic, MqttQualityOfServiceLevel.AtLeastOnce);

        // The new CONNECT can reach the session while the old connection is still handing it back after its
        // DISCONNECT: the takeover must get what the old connection had collected, and honour the DISCONNECT 0x00
        // that discarded the will [MQTT-3.14.4-3]. Repeated, as the moment varies.
        for (var round = 0; round < 30; round++)
        {
            var clientId = NewClientId("quick");
            var topic = NewTopic();
            var connect = PersistentSession.Connect(clientId, MqttProtocolVersion.V500);
            connect.WillFlag = true;
            connect.WillTopic = willTopic;
            connect.WillMessage = Encoding.UTF8.GetBytes($"will of round {round}");
            var first = await ConnectRawAsync(MqttProtocolVersion.V500, connect);
            await first.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            await publisher.PublishAsync(topic, "unacknowledged", MqttQualityOfServiceLevel.AtLeastOnce);
            var sent = await first.ReceivePublishAsync("the message at the first connection");

            var second = await OpenRawAsync(MqttProtocolVersion.V500);
            var disconnecting = first.SendAsync(new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection });
            var connAck = await second.ConnectAsync(PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
            await disconnecting;
            Assert.True(connAck.IsSessionPresent);

            var again = await second.ReceivePublishAsync($"round {round}: the unacknowledged message at the new connection");
            Assert.Equal(("unacknowledged", sent.PacketIdentifier, true), (again.Text(), again.PacketIdentifier, again.Dup));
        }

        // The DISCONNECT and the new CONNECT travel on different sockets: when the takeover reaches the old
        // connection before its DISCONNECT was read, that connection really did end without one, and its will is
        // right to go out. What must never happen is a will for a round twice, or the unacknowledged message lost.
        var marker = NewMarker();
        await watcher.PublishAsync(willTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var wills = (await watcher.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text).ToList();
        Assert.Equal(marker, wills[^1]);
        Assert.All(wills[..^1], w => Assert.StartsWith("will of round ", w, StringComparison.Ordinal));
        Assert.Equal(wills.Count, wills.Distinct().Count());
    }

    [Fact]
    public async Task Taken_over_raw_v5_connection_hears_0x8E_before_the_socket_closes()
    {
        var clientId = NewClientId("takeover");
        var first = await ConnectRawAsync(MqttProtocolVersion.V500, PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));

        var packets = await first.ReceiveUntilClosedAsync("the broker to close the taken-over connection");
        var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets));
        Assert.Equal(MqttDisconnectReasonCode.SessionTakenOver, disconnect.ReasonCode);
    }

    [Fact]
    public async Task Client_id_flapping_between_two_connections_wedges_nothing()
    {
        var clientId = NewClientId("flap");
        var topic = NewTopic();
        var bystander = await ConnectAsync();
        await bystander.SubscribeAsync(topic + "/bystander", MqttQualityOfServiceLevel.AtLeastOnce);
        var setup = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await setup.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        // Two devices with the same id, each reconnecting as soon as the other took over, 50 times.
        var connections = new List<TestClient> { setup };
        for (var i = 0; i < 50; i++)
        {
            var version = i % 2 == 0 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
            var next = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithPersistentSession(version));
            Assert.True(next.ConnectResult!.IsSessionPresent, $"connection {i} must find the session");
            connections.Add(next);
        }

        // Every connection but the last was closed; the last one has the session and its subscription.
        await Within.Async(Task.WhenAll(connections.SkipLast(1).Select(c => c.Disconnected)), "every replaced connection to be closed");
        var last = connections[^1];
        Assert.True(last.Mqtt.IsConnected);
        var marker = NewMarker();
        await bystander.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await last.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));

        // The broker keeps serving everyone else.
        await bystander.PublishAsync(topic + "/bystander", "still here", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("still here", (await bystander.Inbox.NextAsync("the bystander's own message")).Text);
        await Broker.WaitForConnectionsAsync(2);
    }

    [Fact]
    public async Task Racing_connects_lose_none_of_the_queued_messages()
    {
        var clientId = NewClientId("race");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var setup = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await setup.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await setup.DisconnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        const int queued = 20;
        for (var i = 0; i < queued; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Pairs of CONNECTs racing, from clients that never acknowledge: the session grain orders them and the loser
        // is closed (before or after its CONNACK), never both kept, never a hang. Whatever a loser was given must
        // go back to the session, also when it is taken over while still restoring the session.
        var racers = new List<TestClient>();
        try
        {
            for (var round = 0; round < 20; round++)
            {
                var attempts = Enumerable.Range(0, 2).Select(_ => ConnectHoldingAcksAsync(clientId, racers)).ToArray();
                var pair = await Within.Async(Task.WhenAll(attempts), $"both CONNECTs of round {round} to be answered");
                await Within.PollAsync(
                    () => Task.FromResult(pair.Count(c => c.Mqtt.IsConnected) <= 1),
                    $"round {round}: at most one of the two connections left",
                    Within.DefaultTimeout,
                    TimeSpan.FromMilliseconds(10));
            }

            var last = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
            Assert.True(last.ConnectResult!.IsSessionPresent);
            var marker = NewMarker();
            await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
            var received = (await last.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text).ToList();
            Assert.Equal([.. Enumerable.Range(0, queued).Select(i => $"m-{i}"), marker], received);
        }
        finally
        {
            foreach (var racer in racers)
            {
                await racer.DisposeAsync();
            }
        }
    }

    private async Task<TestClient> ConnectHoldingAcksAsync(string clientId, List<TestClient> racers)
    {
        var client = new TestClient(MqttProtocolVersion.V500);
        client.Inbox.HoldAcknowledgements = true;
        lock (racers)
        {
            racers.Add(client);
        }

        var options = Options(MqttTransport.Tcp, MqttProtocolVersion.V500, clientId).WithPersistentSession(MqttProtocolVersion.V500).Build();
        try
        {
            using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
            await client.Mqtt.ConnectAsync(options, timeout.Token);
        }
        catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            // Closed before CONNACK: the other CONNECT took over while this one was being set up.
        }

        return client;
    }
}
