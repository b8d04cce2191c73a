using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// What the broker sends a v5 client stays within what the client announced: its receive maximum (also for the
/// messages a resumed session re-sends) [MQTT-3.3.4-9], its topic alias maximum [MQTT-3.1.2-26] and its maximum
/// packet size [MQTT-3.1.2-24].
/// </summary>
public sealed class FlowControlTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    private const ushort ReceiveMaximum = 3;

    [Fact]
    public async Task Never_more_than_the_receive_maximum_in_flight()
    {
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var client = await ConnectRawAsync(MqttProtocolVersion.V500, new MqttConnectPacket { ClientId = NewClientId("rm"), CleanSession = true, ReceiveMaximum = ReceiveMaximum });
        await client.SubscribeAsync($"{topic}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var received = await ReceiveWithinWindowAsync(client, publisher, topic, 10, resent: false);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"m-{i}"), received.Select(p => p.Text()));
    }

    [Fact]
    public async Task Resumed_session_resends_within_the_new_receive_maximum()
    {
        var clientId = NewClientId("rm");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var first = await ConnectRawAsync(MqttProtocolVersion.V500, PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        await first.SubscribeAsync($"{topic}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        for (var i = 0; i < 10; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var unacknowledged = new List<MqttPublishPacket>();
        for (var i = 0; i < 10; i++)
        {
            unacknowledged.Add(await first.ReceivePublishAsync($"message {i}"));
        }

        first.Abort();
        await Broker.WaitForConnectionsAsync(1);

        // Back with a smaller receive maximum: the ten re-sent PUBLISHes count against it too (4.9: the quota
        // starts again at the new receive maximum), so they go out as acknowledgements make room.
        var resumed = await OpenRawAsync(MqttProtocolVersion.V500);
        var connect = PersistentSession.Connect(clientId, MqttProtocolVersion.V500);
        connect.ReceiveMaximum = ReceiveMaximum;
        Assert.True((await resumed.ConnectAsync(connect)).IsSessionPresent);

        var resent = await ReceiveWithinWindowAsync(resumed, publisher, topic, 10, resent: true);
        Assert.Equal(unacknowledged.Select(p => (p.PacketIdentifier, p.Text())), resent.Select(p => (p.PacketIdentifier, p.Text())));
    }

    [Fact]
    public async Task Outbound_topic_aliases_stay_within_the_client_maximum()
    {
        var root = NewTopic();
        var publisher = await ConnectAsync();
        var client = await ConnectRawAsync(MqttProtocolVersion.V500, new MqttConnectPacket { ClientId = NewClientId("alias"), CleanSession = true, TopicAliasMaximum = 2 });
        await client.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtMostOnce);

        string[] topics = [$"{root}/a", $"{root}/b", $"{root}/c"];
        var sent = new List<(string Topic, string Text)>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var topic in topics)
            {
                await publisher.PublishAsync(topic, $"{topic}#{round}", MqttQualityOfServiceLevel.AtLeastOnce);
                sent.Add((topic, $"{topic}#{round}"));
            }
        }

        // Resolve aliases as a client would: an alias comes once with its topic, later alone (3.3.2.3.4).
        var aliases = new Dictionary<ushort, string>();
        var received = new List<(string Topic, string Text)>();
        for (var i = 0; i < sent.Count; i++)
        {
            var publish = await client.ReceivePublishAsync($"message {i}");
            var topic = publish.Topic;
            if (publish.TopicAlias != 0)
            {
                Assert.InRange(publish.TopicAlias, (ushort)1, (ushort)2);
                if (string.IsNullOrEmpty(topic))
                {
                    Assert.True(aliases.TryGetValue(publish.TopicAlias, out topic), $"alias {publish.TopicAlias} used before it was set");
                }
                else
                {
                    aliases[publish.TopicAlias] = topic;
                }
            }

            received.Add((topic!, publish.Text()));
        }

        // Order is kept per topic [MQTT-4.6.0-6]; topics are independent of one another.
        Assert.Equal(PerTopic(sent), PerTopic(received));
        Assert.Equal(2, aliases.Count);
    }

    [Fact]
    public async Task Mqttnet_client_with_two_aliases_gets_three_topics_right()
    {
        var root = NewTopic();
        var publisher = await ConnectAsync();
        var client = await ConnectAsync(configure: o => o.WithTopicAliasMaximum(2));
        await client.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtLeastOnce);

        var sent = new List<(string, string)>();
        for (var round = 0; round < 3; round++)
        {
            foreach (var name in new[] { "a", "b", "c" })
            {
                await publisher.PublishAsync($"{root}/{name}", $"{name}{round}", MqttQualityOfServiceLevel.AtLeastOnce);
                sent.Add(($"{root}/{name}", $"{name}{round}"));
            }
        }

        // MQTTnet 5.2 hands an aliased PUBLISH to the application as it came (empty topic, the alias set): resolve
        // as the protocol says, an alias is set by a PUBLISH with topic and alias (3.3.2.3.4).
        var received = await client.Inbox.TakeAsync(sent.Count, "the messages on three topics");
        var aliases = new Dictionary<ushort, string>();
        var resolved = new List<(string, string)>();
        foreach (var message in received)
        {
            var alias = message.Message.TopicAlias;
            Assert.InRange(alias, (ushort)0, (ushort)2);
            if (alias != 0 && !string.IsNullOrEmpty(message.Topic))
            {
                aliases[alias] = message.Topic;
            }

            resolved.Add((string.IsNullOrEmpty(message.Topic) ? aliases[alias] : message.Topic, message.Text));
        }

        Assert.Equal(PerTopic(sent), PerTopic(resolved));
    }

    [Fact]
    public async Task Queued_message_larger_than_the_client_maximum_packet_size_is_dropped_and_counted()
    {
        var clientId = NewClientId("size");
        var topic = NewTopic();
        var subscriber = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500).WithMaximumPacketSize(1024));
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        var logPosition = Broker.Log.Position;

        await publisher.PublishAsync(topic, "small before", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, new byte[4096], MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "small after", MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.1.2-25]: too large for the client, discarded as if delivered; the rest arrives.
        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500).WithMaximumPacketSize(1024));
        var marker = NewMarker();
        await publisher.PublishAsync(topic, new byte[4096], MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(["small before", "small after", marker], (await resumed.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
        Assert.Contains(
            Broker.Log.Lines.Skip((int)logPosition),
            l => l.Contains($"'{clientId}'", StringComparison.Ordinal) && l.Contains("larger than the client's maximum packet size", StringComparison.Ordinal));
    }

    private static Dictionary<string, string[]> PerTopic(IEnumerable<(string Topic, string Text)> messages) =>
        messages.GroupBy(m => m.Topic).ToDictionary(g => g.Key, g => g.Select(m => m.Text).ToArray());

    /// <summary>
    /// Receives <paramref name="count"/> QoS 1 PUBLISHes acknowledging one at a time, and checks that no more than
    /// <see cref="ReceiveMaximum"/> are ever unacknowledged: a QoS 0 marker on another topic (no window holds it
    /// back; on the same topic it would wait behind the queued messages, [MQTT-4.6.0-6]) follows what the broker
    /// had sent before it.
    /// </summary>
    private static async Task<List<MqttPublishPacket>> ReceiveWithinWindowAsync(RawMqttClient client, TestClient publisher, string topic, int count, bool resent)
    {
        var received = new List<MqttPublishPacket>();
        var outstanding = new Queue<ushort>();
        var marker = NewMarker();
        await publisher.PublishAsync($"{topic}/marker", marker);
        while (true)
        {
            var publish = await client.ReceivePublishAsync("the window, then the marker");
            if (publish.Text() == marker)
            {
                break;
            }

            received.Add(publish);
            outstanding.Enqueue(publish.PacketIdentifier);
        }

        Assert.Equal(Math.Min(count, (int)ReceiveMaximum), outstanding.Count);
        while (received.Count < count)
        {
            await client.SendAsync(new MqttPubAckPacket { PacketIdentifier = outstanding.Dequeue() });
            var publish = await client.ReceivePublishAsync($"message {received.Count} once the window had room");
            received.Add(publish);
            outstanding.Enqueue(publish.PacketIdentifier);
            Assert.True(outstanding.Count <= ReceiveMaximum, $"{outstanding.Count} PUBLISH packets unacknowledged, receive maximum {ReceiveMaximum}");
        }

        while (outstanding.Count > 0)
        {
            await client.SendAsync(new MqttPubAckPacket { PacketIdentifier = outstanding.Dequeue() });
        }

        Assert.All(received, p => Assert.Equal(resent, p.Dup));
        var last = NewMarker();
        await publisher.PublishAsync(topic, last, MqttQualityOfServiceLevel.AtLeastOnce);
        var next = await client.ReceivePublishAsync("a last marker, nothing before it");
        Assert.Equal(last, next.Text());
        await client.SendAsync(new MqttPubAckPacket { PacketIdentifier = next.PacketIdentifier });
        return received;
    }
}
