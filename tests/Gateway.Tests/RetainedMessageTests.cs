using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>Retained messages: set, replace, clear, delivery on subscribe, and the retain handling options.</summary>
public sealed class RetainedMessageTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Retained_message_is_set_replaced_and_cleared(MqttTransport transport, MqttProtocolVersion version)
    {
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();

        await publisher.PublishAsync(topic, "first", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        Assert.Equal(["first"], await RetainedOnSubscribeAsync(transport, version, topic));

        // [MQTT-3.3.1-5]: a new retained message replaces the previous one.
        await publisher.PublishAsync(topic, "second", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        Assert.Equal(["second"], await RetainedOnSubscribeAsync(transport, version, topic));

        // [MQTT-3.3.1-10]/[MQTT-3.3.1-11]: an empty retained payload clears it and is not stored.
        await publisher.PublishAsync(topic, [], MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        Assert.Empty(await RetainedOnSubscribeAsync(transport, version, topic));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Retained_messages_are_delivered_to_exact_and_wildcard_subscriptions(MqttProtocolVersion version)
    {
        var publisher = await ConnectAsync(version: version);
        var root = NewTopic();
        await publisher.PublishAsync($"{root}/a", "a", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{root}/a/b", "ab", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{root}/c", "c", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await publisher.PublishAsync($"{root}/d/b", "not retained", MqttQualityOfServiceLevel.AtLeastOnce);

        var subscriber = await ConnectAsync(version: version);
        Assert.Equal(["ab"], await SubscribeForRetainedAsync(subscriber, $"{root}/a/b"));
        Assert.Equal(["ab"], await SubscribeForRetainedAsync(subscriber, $"{root}/+/b"));
        Assert.Equal(["a", "ab"], (await SubscribeForRetainedAsync(subscriber, $"{root}/a/#")).Order(StringComparer.Ordinal));
        Assert.Equal(["a", "ab", "c"], (await SubscribeForRetainedAsync(subscriber, $"{root}/#")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Retained_dollar_topics_are_not_sent_for_leading_wildcards()
    {
        var publisher = await ConnectAsync();
        var dollarTopic = $"$dev/{Guid.NewGuid():N}/x";
        await publisher.PublishAsync(dollarTopic, "system", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        var subscriber = await ConnectAsync();

        // [MQTT-4.7.2-1] also for retained messages: '#' and '+/...' at the first level skip '$' topics.
        Assert.DoesNotContain("system", await SubscribeForRetainedAsync(subscriber, "#"));
        Assert.DoesNotContain("system", await SubscribeForRetainedAsync(subscriber, "+/+/x"));
        Assert.Equal(["system"], await SubscribeForRetainedAsync(subscriber, "$dev/+/x"));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Retained_message_is_delivered_at_the_lower_qos(MqttProtocolVersion version)
    {
        var publisher = await ConnectAsync(version: version);
        var topic = NewTopic();
        await publisher.PublishAsync(topic, "qos 2", MqttQualityOfServiceLevel.ExactlyOnce, retain: true);

        var subscriber = await ConnectAsync(version: version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        var received = await subscriber.Inbox.NextAsync("retained message on subscribe");
        Assert.True(received.Retain, "[MQTT-3.3.1-8] a retained message sent on subscribe has RETAIN set");
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, received.QualityOfService);
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Live_retained_message_reaches_existing_subscribers_without_retain_flag(MqttTransport transport, MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(transport, version);
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await publisher.PublishAsync(topic, "live", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        // [MQTT-3.3.1-9] (v5 [MQTT-3.3.1-12] without retain-as-published): RETAIN is 0 for an established
        // subscription, and the message is sent once, not again as "retained".
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await subscriber.Inbox.UntilMarkerAsync(marker);
        Assert.Equal(["live", marker], received.Select(m => m.Text));
        Assert.False(received[0].Retain);
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Retain_handling_2_sends_no_retained_messages(MqttTransport transport)
    {
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        var subscriber = await ConnectAsync(transport);
        var retained = await SubscribeForRetainedAsync(subscriber, topic, MqttRetainHandling.DoNotSendOnSubscribe);

        // [MQTT-3.3.1-11] v5: retain handling 2 = do not send retained messages at subscribe.
        Assert.Empty(retained);
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Retain_handling_1_sends_retained_messages_only_for_a_new_subscription(MqttTransport transport)
    {
        var publisher = await ConnectAsync(transport);
        var topic = NewTopic();
        await publisher.PublishAsync(topic, "retained", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        var subscriber = await ConnectAsync(transport);

        // [MQTT-3.3.1-10] v5: retain handling 1 = send only if the subscription did not exist.
        Assert.Equal(["retained"], await SubscribeForRetainedAsync(subscriber, topic, MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
        Assert.Empty(await SubscribeForRetainedAsync(subscriber, topic, MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));

        // Retain handling 0 sends them on every SUBSCRIBE, new or not [MQTT-3.3.1-9].
        Assert.Equal(["retained"], await SubscribeForRetainedAsync(subscriber, topic, MqttRetainHandling.SendAtSubscribe));

        // After UNSUBSCRIBE the subscription is new again.
        await subscriber.UnsubscribeAsync(topic);
        Assert.Equal(["retained"], await SubscribeForRetainedAsync(subscriber, topic, MqttRetainHandling.SendAtSubscribeIfNewSubscriptionOnly));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Retained_message_published_after_suback_is_delivered_once(MqttTransport transport)
    {
        var publisher = await ConnectAsync(transport);
        for (var i = 0; i < 50; i++)
        {
            var subscriber = await ConnectAsync(transport);
            var topic = NewTopic();
            await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

            // Published after SUBACK, so it is a live message for this subscription, not an older retained one
            // [MQTT-3.3.1-6]: it must arrive once, without RETAIN, and not again as a retained copy.
            await publisher.PublishAsync(topic, "after suback", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
            var marker = NewMarker();
            await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

            var received = await subscriber.Inbox.UntilMarkerAsync(marker);
            Assert.Equal(["after suback", marker], received.Select(m => m.Text));
            Assert.False(received[0].Retain, $"attempt {i}: the live message came as a retained copy");
            await subscriber.DisconnectAsync();
        }
    }

    /// <summary>Payloads of the retained messages a fresh client gets when it subscribes to <paramref name="filter"/>.</summary>
    private async Task<IReadOnlyList<string>> RetainedOnSubscribeAsync(MqttTransport transport, MqttProtocolVersion version, string filter)
    {
        var subscriber = await ConnectAsync(transport, version);
        var retained = await SubscribeForRetainedAsync(subscriber, filter);
        await subscriber.DisconnectAsync();
        return retained;
    }
}
