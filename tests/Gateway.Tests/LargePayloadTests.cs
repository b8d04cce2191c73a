using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>Payloads far larger than one read or one WebSocket frame.</summary>
public sealed class LargePayloadTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task One_megabyte_payload_round_trips(MqttTransport transport, MqttProtocolVersion version)
    {
        var subscriber = await ConnectAsync(transport, version);
        var publisher = await ConnectAsync(transport, version);
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var payload = new byte[1024 * 1024];
        new Random(42).NextBytes(payload);

        await publisher.PublishAsync(topic, payload, MqttQualityOfServiceLevel.AtLeastOnce);

        var received = await subscriber.Inbox.NextAsync("the 1 MB message");
        Assert.Equal(payload.Length, received.Payload.Length);
        Assert.True(payload.AsSpan().SequenceEqual(received.Payload), "the payload arrived altered");
    }
}
