using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>MQTT 5 only: subscription options, subscription identifiers, message properties, expiry, topic aliases.</summary>
public sealed class Mqtt5FeatureTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task No_local_subscription_does_not_receive_own_messages(MqttTransport transport)
    {
        var client = await ConnectAsync(transport);
        var witness = await ConnectAsync(transport);
        var other = await ConnectAsync(transport);
        var topic = NewTopic();
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS().WithNoLocal())
            .Build());
        await witness.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        // Accepted by the topic before the other client publishes, so the marker is delivered after it.
        await client.PublishAsync(topic, "own", MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await other.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.8.3-3]: no-local keeps the client's own publications from it; others still see them.
        Assert.Equal([marker], (await client.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
        Assert.Equal(["own", marker], (await witness.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Retain_as_published_keeps_the_retain_flag_on_live_messages(MqttTransport transport)
    {
        var asPublished = await ConnectAsync(transport);
        var plain = await ConnectAsync(transport);
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await asPublished.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS().WithRetainAsPublished())
            .Build());
        await plain.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync(topic, "not retained", MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.3.1-13]: retain-as-published forwards RETAIN as the publisher set it; [MQTT-3.3.1-12] otherwise 0.
        var kept = await asPublished.Inbox.TakeAsync(2, "messages on the retain-as-published subscription");
        Assert.Equal([true, false], kept.Select(m => m.Retain));
        var cleared = await plain.Inbox.TakeAsync(2, "messages on the plain subscription");
        Assert.Equal([false, false], cleared.Select(m => m.Retain));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Subscription_identifiers_come_with_each_delivery(MqttTransport transport)
    {
        var subscriber = await ConnectAsync(transport);
        var publisher = await ConnectAsync(transport);
        var root = NewTopic();
        await publisher.PublishAsync($"{root}/a", "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithSubscriptionIdentifier(7)
            .WithTopicFilter(f => f.WithTopic($"{root}/+").WithAtLeastOnceQoS())
            .Build());

        // Retained messages carry the identifier of the subscription that asked for them.
        var retained = await subscriber.Inbox.NextAsync("retained message with subscription identifier");
        Assert.Equal([7u], retained.Message.SubscriptionIdentifiers);

        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithSubscriptionIdentifier(9)
            .WithTopicFilter(f => f.WithTopic($"{root}/#").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build());
        await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic($"{root}/a").WithAtLeastOnceQoS().WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
            .Build());
        await publisher.PublishAsync($"{root}/a", "live", MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.3.4-3]/[MQTT-3.3.4-5]: one message carrying the identifiers of every matching subscription
        // that has one; the subscription without an identifier adds none.
        var live = await subscriber.Inbox.NextAsync("live message matching three subscriptions");
        Assert.Equal("live", live.Text);
        Assert.Equal([7u, 9u], live.Message.SubscriptionIdentifiers.Order());
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Message_properties_round_trip(MqttTransport transport)
    {
        var subscriber = await ConnectAsync(transport);
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("{\"on\":true}")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .WithResponseTopic($"{topic}/reply")
            .WithCorrelationData([1, 2, 3, 250])
            .WithPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithUserProperty("k1", Utf8("v1"))
            .WithUserProperty("k1", Utf8("v2"))
            .WithUserProperty("ünï", Utf8("cödé"))
            .Build());

        // [MQTT-3.3.2-15]..[MQTT-3.3.2-20]: forwarded unaltered, user properties in order [MQTT-3.3.2-18].
        var received = (await subscriber.Inbox.NextAsync("message with properties")).Message;
        Assert.Equal("application/json", received.ContentType);
        Assert.Equal($"{topic}/reply", received.ResponseTopic);
        Assert.Equal([1, 2, 3, 250], received.CorrelationData);
        Assert.Equal(MqttPayloadFormatIndicator.CharacterData, received.PayloadFormatIndicator);
        Assert.Equal(
            [("k1", "v1"), ("k1", "v2"), ("ünï", "cödé")],
            received.UserProperties.Select(p => (p.Name, p.ReadValueAsString())));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Message_expiry_interval_is_forwarded_as_the_remaining_lifetime(MqttTransport transport)
    {
        var subscriber = await ConnectAsync(transport);
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("expires")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithMessageExpiryInterval(60)
            .Build());

        // [MQTT-3.3.2-6]: the interval sent on is what is left of the publisher's, never more.
        var received = await subscriber.Inbox.NextAsync("message with expiry interval");
        Assert.InRange(received.Message.MessageExpiryInterval, 1u, 60u);
    }

    [Fact]
    public async Task Expired_retained_message_is_no_longer_delivered()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync();
        var topic = NewTopic();
        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload("short-lived")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag()
            .WithMessageExpiryInterval(1)
            .Build());
        var started = DateTime.UtcNow;

        Assert.Equal(["short-lived"], await SubscribeForRetainedAsync(subscriber, topic));

        // [MQTT-3.3.2-5]: once the interval has passed the retained message is not delivered any more.
        await Within.PollAsync(
            async () => (await SubscribeForRetainedAsync(subscriber, topic)).Count == 0,
            "the retained message to expire after 1 s",
            TimeSpan.FromSeconds(6),
            TimeSpan.FromMilliseconds(200));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(0.9), "the retained message expired before its interval");
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Inbound_topic_alias_is_resolved(MqttTransport transport)
    {
        var subscriber = await ConnectAsync(transport);
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.3.2-12]: topic plus alias sets the alias; later PUBLISHes may send the alias and an empty topic.
        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic).WithTopicAlias(1).WithPayload("sets alias").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(string.Empty).WithTopicAlias(1).WithPayload("uses alias").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        var received = await subscriber.Inbox.TakeAsync(2, "messages published with a topic alias");
        Assert.Equal(["sets alias", "uses alias"], received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(topic, m.Topic));
    }

    [Fact]
    public async Task Topic_alias_above_the_maximum_closes_the_connection()
    {
        var publisher = await ConnectAsync();
        var aliasMaximum = publisher.ConnectResult!.TopicAliasMaximum;

        await publisher.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(NewTopic()).WithTopicAlias((ushort)(aliasMaximum + 1)).WithPayload("bad alias").Build());

        // [MQTT-3.3.2-9]: DISCONNECT 0x94 Topic Alias invalid.
        var disconnected = await Within.Async(publisher.Disconnected, "the broker to disconnect the client");
        Assert.Equal(MqttClientDisconnectReason.TopicAliasInvalid, disconnected.Reason);
    }

    [Fact]
    public async Task Exceeding_the_broker_receive_maximum_closes_the_connection()
    {
        var client = await OpenRawAsync(MqttProtocolVersion.V500);
        await client.SendAsync(new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 });
        var receiveMaximum = (await client.ReceiveAsync<MqttConnAckPacket>("CONNACK")).ReceiveMaximum;
        Assert.True(receiveMaximum > 0);
        var topic = NewTopic();

        // QoS 2 PUBLISHes count against Receive Maximum until PUBREL; one more than allowed is a protocol error
        // [MQTT-3.3.4-9]: DISCONNECT 0x93.
        for (var id = 1; id <= receiveMaximum + 1; id++)
        {
            await client.SendAsync(new MqttPublishPacket
            {
                Topic = topic,
                PayloadSegment = "x"u8.ToArray(),
                QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce,
                PacketIdentifier = (ushort)id,
            });
        }

        var packets = await client.ReceiveUntilClosedAsync("the broker to close the connection");
        Assert.Equal(receiveMaximum, packets.OfType<MqttPubRecPacket>().Count());
        Assert.Equal(MqttDisconnectReasonCode.ReceiveMaximumExceeded, Assert.IsType<MqttDisconnectPacket>(packets[^1]).ReasonCode);
    }

    [Fact]
    public async Task Messages_larger_than_the_client_maximum_packet_size_are_not_sent_to_it()
    {
        var subscriber = await ConnectAsync(configure: o => o.WithMaximumPacketSize(512));
        var publisher = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, new byte[2048], MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

        // [MQTT-3.1.2-25]: a packet over the client's Maximum Packet Size is discarded, the client stays connected.
        Assert.Equal([marker], (await subscriber.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
        Assert.True(subscriber.Mqtt.IsConnected);
    }

    [Fact]
    public async Task Empty_client_id_without_clean_start_gets_an_assigned_id()
    {
        var client = await OpenRawAsync(MqttProtocolVersion.V500);

        // Hand-encoded, as MQTTnet refuses to send it: CONNECT "MQTT" level 5, flags 0 (no clean start),
        // keep-alive 30, no properties, empty client id.
        await client.SendBytesAsync([0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x05, 0x00, 0x00, 0x1E, 0x00, 0x00, 0x00]);

        // v5 drops the 3.1.1 rule: the server assigns an id whatever Clean Start says [MQTT-3.1.3-6]/[MQTT-3.1.3-7].
        var connAck = await client.ReceiveAsync<MqttConnAckPacket>("CONNACK for an empty client id without clean start");
        Assert.Equal(MqttConnectReasonCode.Success, connAck.ReasonCode);
        Assert.False(string.IsNullOrEmpty(connAck.AssignedClientIdentifier));
    }

    private static ReadOnlyMemory<byte> Utf8(string value) => Encoding.UTF8.GetBytes(value);
}
