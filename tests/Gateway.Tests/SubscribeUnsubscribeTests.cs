using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>SUBACK / UNSUBACK reason codes per filter, and what an UNSUBSCRIBE stops.</summary>
public sealed class SubscribeUnsubscribeTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Invalid_filter_is_refused_alongside_valid_ones(MqttProtocolVersion version)
    {
        // Raw: MQTTnet's client refuses to send 'a/#/b' itself.
        var client = await ConnectRawAsync(version, new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 });
        var root = NewTopic();
        await client.SendAsync(new MqttSubscribePacket
        {
            PacketIdentifier = 7,
            TopicFilters =
            [
                new MqttTopicFilter { Topic = $"{root}/ok", QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce },
                new MqttTopicFilter { Topic = "a/#/b", QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce },
                new MqttTopicFilter { Topic = $"{root}/+/x", QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce },
            ],
        });

        // [MQTT-3.9.3-1]: one code per filter, in order; a bad filter fails alone (v5 0x8F, 3.1.1 0x80).
        var subAck = await client.ReceiveAsync<MqttSubAckPacket>("SUBACK");
        Assert.Equal(7, subAck.PacketIdentifier);
        var refused = version == MqttProtocolVersion.V500 ? MqttSubscribeReasonCode.TopicFilterInvalid : MqttSubscribeReasonCode.UnspecifiedError;
        Assert.Equal([MqttSubscribeReasonCode.GrantedQoS1, refused, MqttSubscribeReasonCode.GrantedQoS2], subAck.ReasonCodes);
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Filter_with_a_partial_level_wildcard_is_refused(MqttTransport transport, MqttProtocolVersion version)
    {
        var client = await ConnectAsync(transport, version);
        var root = NewTopic();

        // [MQTT-4.7.1-3]: '+' must occupy a whole level.
        var result = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter($"{root}/a+")
            .WithTopicFilter($"{root}/b", MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

        var refused = version == MqttProtocolVersion.V500 ? MqttClientSubscribeResultCode.TopicFilterInvalid : MqttClientSubscribeResultCode.UnspecifiedError;
        Assert.Equal([refused, MqttClientSubscribeResultCode.GrantedQoS1], result.Items.Select(i => i.ResultCode));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Shared_subscriptions_are_granted(MqttProtocolVersion version)
    {
        var client = await ConnectAsync(version: version);

        var result = await client.SubscribeAsync($"$share/g/{NewTopic()}", MqttQualityOfServiceLevel.AtLeastOnce);

        // CONNACK says SharedSubscriptionAvailable = true (MQTT 5, 4.8.2); 3.1.1 clients may use them too.
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(result.Items).ResultCode);
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task V5_unsubscribe_reports_each_filter(MqttTransport transport)
    {
        var client = await ConnectAsync(transport, MqttProtocolVersion.V500);
        var subscribed = NewTopic();
        await client.SubscribeAsync(subscribed);

        var result = await client.UnsubscribeAsync(subscribed, NewTopic());

        // [MQTT-3.11.3-1]: one code per filter; 0x11 for a filter the session did not have.
        Assert.Equal(
            [MqttClientUnsubscribeResultCode.Success, MqttClientUnsubscribeResultCode.NoSubscriptionExisted],
            result.Items.Select(i => i.ResultCode));
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task After_unsubscribe_no_more_messages_arrive(MqttTransport transport, MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(transport, version);
        var witness = await ConnectAsync(transport, version);
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();
        var stillSubscribed = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.SubscribeAsync(stillSubscribed, MqttQualityOfServiceLevel.AtLeastOnce);
        await witness.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "before", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("before", (await subscriber.Inbox.NextAsync("message before UNSUBSCRIBE")).Text);

        await subscriber.UnsubscribeAsync(topic);
        await publisher.PublishAsync(topic, "after", MqttQualityOfServiceLevel.AtLeastOnce);

        // Once the witness (same gateway) has 'after', the fan-out ran; a marker on the other filter comes next.
        Assert.Equal("before", (await witness.Inbox.NextAsync("witness: 'before'")).Text);
        Assert.Equal("after", (await witness.Inbox.NextAsync("witness: 'after'")).Text);
        var marker = NewMarker();
        await publisher.PublishAsync(stillSubscribed, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await subscriber.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Subscribing_again_replaces_the_subscription(MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(version: version);
        var publisher = await ConnectAsync(version: version);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);

        var again = await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtMostOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, Assert.Single(again.Items).ResultCode);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, "once", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.ExactlyOnce);

        // [MQTT-3.8.4-3]: the new subscription replaces the old one: one copy, at the new QoS.
        var received = await subscriber.Inbox.UntilMarkerAsync(marker);
        Assert.Equal(["once", marker], received.Select(m => m.Text));
        Assert.Equal(MqttQualityOfServiceLevel.AtMostOnce, received[0].QualityOfService);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Subscription_ends_with_the_connection(MqttProtocolVersion version)
    {
        var gone = await ConnectAsync(version: version);
        var topic = NewTopic();
        await gone.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await gone.DisconnectAsync();

        var subscriber = await ConnectAsync(version: version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await subscriber.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

        // The route of the closed connection's filter must not break delivery to the new subscriber.
        Assert.Equal([marker], (await subscriber.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }
}
