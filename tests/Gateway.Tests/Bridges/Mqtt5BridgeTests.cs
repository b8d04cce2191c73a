using System.Text;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>An MQTT 5 bridge from native settings (no-local and retain-as-published at the remote).</summary>
public sealed class Mqtt5BridgeTests(NativeMqtt5BridgeFixture broker)
    : BridgeDirectionTests<NativeMqtt5BridgeFixture>(broker), IClassFixture<NativeMqtt5BridgeFixture>
{
    [Fact]
    public async Task Mqtt5PropertiesCrossTheBridge()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"ro/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();

        await local.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"lo/{topic}")
            .WithPayload("with-properties")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("text/plain")
            .WithResponseTopic("replies/here")
            .WithCorrelationData(Encoding.UTF8.GetBytes("42"))
            .WithUserProperty("site", (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes("pi-1"))
            .Build());

        var received = (await remote.Inbox.NextAsync("the message with its properties at the remote")).Message;
        Assert.Equal(("text/plain", "replies/here", "42"), (received.ContentType, received.ResponseTopic, Encoding.UTF8.GetString(received.CorrelationData)));
        var property = Assert.Single(received.UserProperties);
        Assert.Equal(("site", "pi-1"), (property.Name, property.ReadValueAsString()));
    }
}
