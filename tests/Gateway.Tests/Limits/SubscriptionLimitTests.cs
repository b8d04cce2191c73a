using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>Mqtt:MaxSubscriptionsPerClient and Mqtt:MaxTopicLevels refuse filters with a reason code, per filter.</summary>
public sealed class SubscriptionLimitTests(ClientLimitsBrokerFixture broker) : BrokerTest<ClientLimitsBrokerFixture>(broker), IClassFixture<ClientLimitsBrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task A_subscription_beyond_the_limit_is_refused_and_the_others_keep_working(MqttProtocolVersion version)
    {
        var client = await ConnectAsync(version: version);
        var topics = Enumerable.Range(0, 3).Select(_ => NewTopic()).ToArray();
        await client.SubscribeAsync(topics[0], MqttQualityOfServiceLevel.AtLeastOnce);
        await client.SubscribeAsync(topics[1], MqttQualityOfServiceLevel.AtLeastOnce);

        var third = await client.SubscribeAsync(topics[2], MqttQualityOfServiceLevel.AtLeastOnce);
        var again = await client.SubscribeAsync(topics[0], MqttQualityOfServiceLevel.AtMostOnce);

        var refused = version == MqttProtocolVersion.V500 ? MqttClientSubscribeResultCode.QuotaExceeded : MqttClientSubscribeResultCode.UnspecifiedError;
        Assert.Equal(refused, Assert.Single(third.Items).ResultCode);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS0, Assert.Single(again.Items).ResultCode);
        await client.PublishAsync(topics[1], "still subscribed", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("still subscribed", (await client.Inbox.NextAsync("a message on a granted filter")).Text);
    }

    [Fact]
    public async Task A_filter_deeper_than_the_limit_is_refused()
    {
        var client = await ConnectAsync();

        var result = await client.SubscribeAsync($"{NewTopic()}/a/b/c/d", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientSubscribeResultCode.TopicFilterInvalid, Assert.Single(result.Items).ResultCode);
    }

    [Fact]
    public async Task Publishing_to_a_topic_deeper_than_the_limit_closes_that_connection_with_topic_name_invalid()
    {
        var client = await ConnectAsync();

        await client.Mqtt.PublishAsync(new MqttApplicationMessageBuilder().WithTopic("a/b/c/d/e").WithPayload("deep").Build());

        var disconnected = await Within.Async(client.Disconnected, "the disconnect");
        Assert.Equal(MqttClientDisconnectReason.TopicNameInvalid, disconnected.Reason);
    }
}
