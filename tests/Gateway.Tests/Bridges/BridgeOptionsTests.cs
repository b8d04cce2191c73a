using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>Mosquitto's less common bridge options, honoured against a real Mosquitto.</summary>
public sealed class BridgeOptionsTests(OptionsBridgeFixture broker)
    : BridgeTest<OptionsBridgeFixture>(broker), IClassFixture<OptionsBridgeFixture>
{
    [Fact]
    public async Task WhenTheFirstAddressDoesNotAnswerTheBridgeUsesTheNext()
    {
        await Broker.WaitForBridgeAsync();

        Assert.Equal($"127.0.0.1:{Broker.Remote.Port}", (await Broker.Bridge.GetStatusAsync()).Address);
    }

    [Fact]
    public async Task AnMqtt31BridgeCarriesMessages()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync(MqttProtocolVersion.V310);
        await remote.SubscribeAsync($"opt/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();

        await local.PublishAsync($"opt/{topic}", "over-3.1", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal("over-3.1", (await remote.Inbox.NextAsync("the message over the MQTT 3.1 bridge")).Text);
    }

    [Fact]
    public async Task OutgoingRetainFalseClearsTheRetainFlag()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"opt/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();
        await local.PublishAsync($"opt/{topic}", "not-retained-there", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await remote.Inbox.NextAsync("the message at the remote");

        // Retained at the remote, it would reach a new subscriber before the marker.
        var late = await ConnectRemoteAsync();
        await late.SubscribeAsync($"opt/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await remote.PublishAsync($"opt/{topic}", marker, MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal([marker], (await late.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task TheStateGoesToTheConfiguredTopicAndStaysLocal()
    {
        await Broker.WaitForBridgeAsync();
        var local = await ConnectAsync();
        await local.SubscribeAsync(OptionsBridgeFixture.StateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("1", (await local.Inbox.NextAsync("the state on its configured topic")).Text);

        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync(OptionsBridgeFixture.StateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var marker = NewMarker();
        await remote.PublishAsync(OptionsBridgeFixture.StateTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal([marker], (await remote.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }
}
