using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Conformance;

/// <summary>
/// A v5 QoS 1/2 PUBLISH that matches no subscriber is acknowledged with 0x10 No matching subscribers [MQTT-3.4.2.1]
/// (clients use it to find a wrong topic); one that matches gets 0x00; 3.1.1 has no reason codes.
/// </summary>
public sealed class NoMatchingSubscribersTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [InlineData(MqttQualityOfServiceLevel.AtLeastOnce)]
    [InlineData(MqttQualityOfServiceLevel.ExactlyOnce)]
    public async Task V5_publish_without_subscribers_hears_0x10_and_with_one_0x00(MqttQualityOfServiceLevel qos)
    {
        var topic = NewTopic();
        var publisher = await ConnectAsync();

        var alone = await publisher.PublishAsync(topic, "nobody listens", qos);
        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, alone.ReasonCode);

        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var heard = await publisher.PublishAsync(topic, "someone listens", qos);
        Assert.Equal(MqttClientPublishReasonCode.Success, heard.ReasonCode);
        Assert.Equal("someone listens", (await subscriber.Inbox.NextAsync("the message")).Text);
    }

    [Fact]
    public async Task Retained_publish_without_subscribers_is_stored_and_hears_0x10()
    {
        var topic = NewTopic();
        var publisher = await ConnectAsync();

        var result = await publisher.PublishAsync(topic, "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        Assert.Equal(MqttClientPublishReasonCode.NoMatchingSubscribers, result.ReasonCode);
        var late = await ConnectAsync();
        Assert.Equal(["kept"], await SubscribeForRetainedAsync(late, topic));
    }

    [Fact]
    public async Task V311_publish_without_subscribers_is_acknowledged_as_usual()
    {
        var publisher = await ConnectAsync(version: MqttProtocolVersion.V311);

        var result = await publisher.PublishAsync(NewTopic(), "nobody listens", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(MqttClientPublishReasonCode.Success, result.ReasonCode);
    }
}
