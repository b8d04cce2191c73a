using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>PUBLISH in both directions at QoS 0/1/2, ordering, QoS downgrade, wildcards and overlapping subscriptions.</summary>
public sealed class PublishSubscribeTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    public static TheoryData<MqttTransport, MqttProtocolVersion, MqttQualityOfServiceLevel> TransportsVersionsAndQoS
    {
        get
        {
            var data = new TheoryData<MqttTransport, MqttProtocolVersion, MqttQualityOfServiceLevel>();
            foreach (var (transport, version) in Combinations())
            {
                foreach (var qos in Enum.GetValues<MqttQualityOfServiceLevel>())
                {
                    data.Add(transport, version, qos);
                }
            }

            return data;
        }
    }

    public static TheoryData<MqttTransport, MqttProtocolVersion, MqttQualityOfServiceLevel> OrderingCases => new()
    {
        { MqttTransport.Tcp, MqttProtocolVersion.V311, MqttQualityOfServiceLevel.AtLeastOnce },
        { MqttTransport.Tcp, MqttProtocolVersion.V500, MqttQualityOfServiceLevel.AtLeastOnce },
        { MqttTransport.WebSocket, MqttProtocolVersion.V311, MqttQualityOfServiceLevel.AtLeastOnce },
        { MqttTransport.WebSocket, MqttProtocolVersion.V500, MqttQualityOfServiceLevel.AtLeastOnce },
        { MqttTransport.Tcp, MqttProtocolVersion.V500, MqttQualityOfServiceLevel.AtMostOnce },
        { MqttTransport.Tcp, MqttProtocolVersion.V500, MqttQualityOfServiceLevel.ExactlyOnce },
    };

    [Theory]
    [MemberData(nameof(TransportsVersionsAndQoS))]
    public async Task Message_round_trips_at_the_published_qos(MqttTransport transport, MqttProtocolVersion version, MqttQualityOfServiceLevel qos)
    {
        var subscriber = await ConnectAsync(transport, version);
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();
        var granted = await subscriber.SubscribeAsync(topic, qos);
        Assert.Equal((MqttClientSubscribeResultCode)(int)qos, Assert.Single(granted.Items).ResultCode);

        var published = await publisher.PublishAsync(topic, $"qos {(int)qos}", qos);

        if (qos != MqttQualityOfServiceLevel.AtMostOnce)
        {
            // The PUBACK / PUBREC+PUBCOMP came back (else PublishAsync would have thrown) with success.
            Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);
        }

        var received = await subscriber.Inbox.NextAsync($"QoS {(int)qos} message");
        Assert.Equal(topic, received.Topic);
        Assert.Equal($"qos {(int)qos}", received.Text);
        Assert.Equal(qos, received.QualityOfService);
        Assert.False(received.Retain);
        Assert.False(received.Message.Dup);
    }

    [Theory]
    [MemberData(nameof(OrderingCases))]
    public async Task Messages_from_one_publisher_on_one_topic_arrive_in_order(MqttTransport transport, MqttProtocolVersion version, MqttQualityOfServiceLevel qos)
    {
        const int count = 200;
        var subscriber = await ConnectAsync(transport, version);
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, qos);

        for (var i = 0; i < count; i++)
        {
            await publisher.PublishAsync(topic, i.ToString(System.Globalization.CultureInfo.InvariantCulture), qos);
        }

        // [MQTT-4.6.0-5]/[MQTT-4.6.0-6]: per topic and QoS, subscribers see the publisher's order.
        var received = await subscriber.Inbox.TakeAsync(count, "all messages of the burst");
        Assert.Equal(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(qos, m.QualityOfService));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Delivery_qos_is_the_lower_of_publish_and_subscription_qos(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        var atLeastOnce = NewTopic() + "/qos1";
        var exactlyOnce = NewTopic() + "/qos2";
        await subscriber.SubscribeAsync(atLeastOnce, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.SubscribeAsync(exactlyOnce, MqttQualityOfServiceLevel.ExactlyOnce);

        // [MQTT-3.8.4-6]: delivered at min(published QoS, granted QoS).
        await publisher.PublishAsync(atLeastOnce, "down to 1", MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, (await subscriber.Inbox.NextAsync("QoS 2 publish on a QoS 1 subscription")).QualityOfService);

        await publisher.PublishAsync(exactlyOnce, "stays 0", MqttQualityOfServiceLevel.AtMostOnce);
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, (await subscriber.Inbox.NextAsync("QoS 0 publish on a QoS 2 subscription")).QualityOfService);
    }

    [Fact]
    public async Task Clients_may_not_publish_to_SYS_topics()
    {
        var publisher = await ConnectAsync();

        // The broker's statistics are its own to publish (as in Mosquitto): v5 hears 0x87 and nothing is forwarded.
        var refused = await publisher.Mqtt.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
            .WithTopic($"$SYS/broker/{NewTopic()}").WithPayload("forged").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NotAuthorized, refused.ReasonCode);

        // Other '$' topics are ordinary ones: accepted (no one subscribed to it, so v5 hears 0x10).
        var accepted = await publisher.Mqtt.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder()
            .WithTopic($"$SYSTEM/{NewTopic()}").WithPayload("fine").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        Assert.Equal(MQTTnet.MqttClientPublishReasonCode.NoMatchingSubscribers, accepted.ReasonCode);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Wildcards_match_single_and_multiple_levels(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        var root = NewTopic();
        await subscriber.SubscribeAsync($"{root}/+/c");
        await subscriber.SubscribeAsync($"{root}/a/#");

        await publisher.PublishAsync($"{root}/b/c", "plus", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal($"{root}/b/c", (await subscriber.Inbox.NextAsync("'+' match")).Topic);

        await publisher.PublishAsync($"{root}/a/x/y", "hash", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal($"{root}/a/x/y", (await subscriber.Inbox.NextAsync("'#' match of several levels")).Topic);

        // [MQTT-4.7.1-2]: 'a/#' also matches the parent 'a'.
        await publisher.PublishAsync($"{root}/a", "parent", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal($"{root}/a", (await subscriber.Inbox.NextAsync("'a/#' matching 'a'")).Topic);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Single_level_wildcard_does_not_match_more_levels(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var witness = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        var root = NewTopic();
        await subscriber.SubscribeAsync($"{root}/+/c");
        await witness.SubscribeAsync($"{root}/#");

        await publisher.PublishAsync($"{root}/b/d/c", "too deep");
        await AssertNotDeliveredAsync(subscriber, witness, publisher, "too deep", $"{root}/b/c");
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Dollar_topics_are_not_matched_by_leading_wildcards(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var witness = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        await subscriber.SubscribeAsync("#");
        await subscriber.SubscribeAsync("+/x");
        await witness.SubscribeAsync("$dev/x");

        // [MQTT-4.7.2-1]: '#' and '+' at the first level do not match topics starting with '$' (clients may
        // publish to any '$' topic but $SYS, which is the broker's).
        await publisher.PublishAsync("$dev/x", "system");
        await AssertNotDeliveredAsync(subscriber, witness, publisher, "system", $"{NewTopic()}/x");
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Overlapping_subscriptions_deliver_once_at_the_highest_qos(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        var root = NewTopic();
        await subscriber.SubscribeAsync($"{root}/#", MqttQualityOfServiceLevel.AtMostOnce);
        await subscriber.SubscribeAsync($"{root}/+", MqttQualityOfServiceLevel.ExactlyOnce);
        await subscriber.SubscribeAsync($"{root}/a", MqttQualityOfServiceLevel.AtLeastOnce);

        var marker = NewMarker();
        await publisher.PublishAsync($"{root}/a", "once", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync($"{root}/a", marker, MqttQualityOfServiceLevel.ExactlyOnce);

        // [MQTT-3.3.5-1]: one copy, at the maximum QoS of the matching subscriptions.
        var received = await subscriber.Inbox.UntilMarkerAsync(marker);
        Assert.Equal(["once", marker], received.Select(m => m.Text));
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, received[0].QualityOfService);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Clients_receive_their_own_messages_by_default(MqttProtocolVersion version)
    {
        var client = await ConnectAsync(version: version);
        var topic = NewTopic();
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await client.PublishAsync(topic, "echo", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("echo", (await client.Inbox.NextAsync("own message")).Text);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Resent_qos2_publish_is_delivered_once(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var publisher = await ConnectRawAsync(version, new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 });
        var publish = new MqttPublishPacket
        {
            Topic = topic,
            PayloadSegment = "exactly once"u8.ToArray(),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce,
            PacketIdentifier = 5,
        };

        await publisher.SendAsync(publish);
        Assert.Equal(5, (await publisher.ReceiveAsync<MqttPubRecPacket>("PUBREC")).PacketIdentifier);

        // The client did not see PUBREC (as far as it knows) and sends again with DUP; until PUBREL the broker
        // must not forward it a second time [MQTT-4.3.3-10].
        publish.Dup = true;
        await publisher.SendAsync(publish);
        Assert.Equal(5, (await publisher.ReceiveAsync<MqttPubRecPacket>("PUBREC for the duplicate")).PacketIdentifier);
        await publisher.SendAsync(new MqttPubRelPacket { PacketIdentifier = 5 });
        Assert.Equal(5, (await publisher.ReceiveAsync<MqttPubCompPacket>("PUBCOMP")).PacketIdentifier);

        var marker = NewMarker();
        await publisher.SendAsync(new MqttPublishPacket { Topic = topic, PayloadSegment = System.Text.Encoding.UTF8.GetBytes(marker) });
        Assert.Equal(["exactly once", marker], (await subscriber.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task V5_receive_maximum_limits_unacknowledged_deliveries()
    {
        const int receiveMaximum = 2;
        var subscriber = await ConnectAsync(configure: o => o.WithReceiveMaximum(receiveMaximum));
        subscriber.Inbox.HoldAcknowledgements = true;
        var witness = await ConnectAsync();
        var publisher = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await witness.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        for (var i = 0; i < 5; i++)
        {
            await publisher.PublishAsync(topic, $"m{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // [MQTT-3.3.4-9]: no more than Receive Maximum QoS 1/2 PUBLISHes unacknowledged. Once the witness has all
        // five the gateway has handed them all to the subscriber's connection, which must hold back the rest.
        Assert.Equal(["m0", "m1"], (await subscriber.Inbox.TakeAsync(receiveMaximum, "the first window")).Select(m => m.Text));
        await witness.Inbox.TakeAsync(5, "all messages at the witness");
        await subscriber.SubscribeAsync(NewTopic());
        Assert.Empty(subscriber.Inbox.Drain());

        await subscriber.Inbox.AcknowledgeAllAsync();
        Assert.Equal(["m2", "m3"], (await subscriber.Inbox.TakeAsync(2, "the second window")).Select(m => m.Text));
        await subscriber.Inbox.AcknowledgeAllAsync();
        Assert.Equal(["m4"], (await subscriber.Inbox.TakeAsync(1, "the last message")).Select(m => m.Text));
        await subscriber.Inbox.AcknowledgeAllAsync();
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Publish_to_a_wildcard_topic_closes_the_connection(MqttProtocolVersion version)
    {
        var client = await ConnectRawAsync(version, new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 });

        // [MQTT-3.3.2-2]: a topic name must not contain wildcards; v5 is told 0x90 Topic Name invalid.
        await client.SendAsync(new MqttPublishPacket { Topic = "a/+/b", PayloadSegment = "x"u8.ToArray() });

        var packets = await client.ReceiveUntilClosedAsync("the broker to close the connection");
        if (version == MqttProtocolVersion.V500)
        {
            Assert.Equal(MqttDisconnectReasonCode.TopicNameInvalid, Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets)).ReasonCode);
        }
        else
        {
            Assert.Empty(packets);
        }
    }

    /// <summary>
    /// Proves <paramref name="subscriber"/> did not get the message with payload <paramref name="text"/>: once
    /// <paramref name="witness"/> (same gateway) has it, the gateway's fan-out has run, so a marker published
    /// afterwards on a topic the subscriber matches must be the next thing it receives.
    /// </summary>
    private static async Task AssertNotDeliveredAsync(TestClient subscriber, TestClient witness, TestClient publisher, string text, string markerTopic)
    {
        Assert.Equal(text, (await witness.Inbox.NextAsync($"the witness to receive '{text}'")).Text);
        var marker = NewMarker();
        await publisher.PublishAsync(markerTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await subscriber.Inbox.UntilMarkerAsync(marker);
        Assert.DoesNotContain(text, received.Select(m => m.Text));
    }

    private static IEnumerable<(MqttTransport Transport, MqttProtocolVersion Version)> Combinations()
    {
        foreach (var transport in Enum.GetValues<MqttTransport>())
        {
            foreach (var version in new[] { MqttProtocolVersion.V311, MqttProtocolVersion.V500 })
            {
                yield return (transport, version);
            }
        }
    }
}
