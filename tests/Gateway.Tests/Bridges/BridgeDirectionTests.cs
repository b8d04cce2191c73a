using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// The semantics of Mosquitto's bridge, against a real Mosquitto as the remote: out, in and both with prefixes,
/// QoS as the lower of the topic line's and the message's, retained flags, loop prevention and the connection-state
/// notification. Run for an MQTT 3.1.1 bridge from a mosquitto.conf and an MQTT 5 one from native settings.
/// </summary>
public abstract class BridgeDirectionTests<TFixture>(TFixture broker) : BridgeTest<TFixture>(broker)
    where TFixture : BridgeFixture
{
    [Fact]
    public async Task OutgoingMessagesReachTheRemoteInOrderUnderTheRemotePrefix()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"ro/{topic}/#", MqttQualityOfServiceLevel.ExactlyOnce);
        var local = await ConnectAsync();

        var sent = Enumerable.Range(0, 20).Select(i => $"m{i}").ToList();
        foreach (var payload in sent)
        {
            await local.PublishAsync($"lo/{topic}/a", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await local.PublishAsync($"lo/{topic}/a", "exactly-once", MqttQualityOfServiceLevel.ExactlyOnce);

        var received = await remote.Inbox.TakeAsync(21, "the bridged messages at the remote");
        Assert.Equal([.. sent, "exactly-once"], received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal($"ro/{topic}/a", m.Topic));
        Assert.All(received.Take(20), m => Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, m.QualityOfService));
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, received[20].QualityOfService);
    }

    [Fact]
    public async Task ATopicLineWithQos0SendsEverythingAtQos0()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"r0/{topic}", MqttQualityOfServiceLevel.ExactlyOnce);
        var local = await ConnectAsync();

        await local.PublishAsync($"l0/{topic}", "downgraded", MqttQualityOfServiceLevel.ExactlyOnce);

        var received = await remote.Inbox.NextAsync("the QoS 2 message sent over a QoS 0 topic line");
        Assert.Equal(("downgraded", MqttQualityOfServiceLevel.AtMostOnce), (received.Text, received.QualityOfService));
    }

    [Fact]
    public async Task IncomingMessagesArriveHereUnderTheLocalPrefix()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var local = await ConnectAsync();
        await local.SubscribeAsync($"li/{topic}/#", MqttQualityOfServiceLevel.ExactlyOnce);
        var remote = await ConnectRemoteAsync();

        var sent = Enumerable.Range(0, 20).Select(i => $"in{i}").ToList();
        foreach (var payload in sent)
        {
            await remote.PublishAsync($"ri/{topic}/x", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var received = await local.Inbox.TakeAsync(20, "the bridged messages here");
        Assert.Equal(sent, received.Select(m => m.Text));
        Assert.All(received, m => Assert.Equal(($"li/{topic}/x", MqttQualityOfServiceLevel.AtLeastOnce), (m.Topic, m.QualityOfService)));
    }

    [Fact]
    public async Task RetainedMessagesStayRetainedOnTheOtherSide()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var local = await ConnectAsync();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"ro/{topic}/r", MqttQualityOfServiceLevel.AtLeastOnce);
        await local.SubscribeAsync($"li/{topic}/r", MqttQualityOfServiceLevel.AtLeastOnce);

        await local.PublishAsync($"lo/{topic}/r", "kept-out", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await remote.PublishAsync($"ri/{topic}/r", "kept-in", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await remote.Inbox.NextAsync("the retained message at the remote");
        await local.Inbox.NextAsync("the retained message here");

        // New subscribers on each side get them as retained messages.
        var lateRemote = await ConnectRemoteAsync();
        await lateRemote.SubscribeAsync($"ro/{topic}/r", MqttQualityOfServiceLevel.AtLeastOnce);
        var atRemote = await lateRemote.Inbox.NextAsync("the retained message for a new subscriber at the remote");
        Assert.Equal(("kept-out", true), (atRemote.Text, atRemote.Retain));

        var lateLocal = await ConnectAsync();
        var here = await SubscribeForRetainedAsync(lateLocal, $"li/{topic}/r");
        Assert.Equal(["kept-in"], here);
    }

    [Fact]
    public async Task MessagesOnATopicBridgedBothWaysDoNotComeBack()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var local = await ConnectAsync();
        await local.SubscribeAsync($"lb/{topic}/#", MqttQualityOfServiceLevel.AtLeastOnce);
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"rb/{topic}/#", MqttQualityOfServiceLevel.AtLeastOnce);

        await local.PublishAsync($"lb/{topic}/a", "from-here", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("from-here", (await remote.Inbox.NextAsync("the local message at the remote")).Text);
        await remote.PublishAsync($"rb/{topic}/b", "from-there", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("from-there", (await remote.Inbox.NextAsync("the remote subscriber's own message")).Text);

        // A marker from the far side travels the path an echo would take, after it: seeing only the marker means
        // nothing came back.
        var hereMarker = NewMarker();
        await remote.PublishAsync($"rb/{topic}/z", hereMarker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(["from-here", "from-there", hereMarker], (await local.Inbox.UntilMarkerAsync(hereMarker)).Select(m => m.Text));
        var thereMarker = NewMarker();
        await local.PublishAsync($"lb/{topic}/z", thereMarker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([hereMarker, thereMarker], (await remote.Inbox.UntilMarkerAsync(thereMarker)).Select(m => m.Text));
        Assert.Equal([thereMarker], (await local.Inbox.UntilMarkerAsync(thereMarker)).Select(m => m.Text));
    }

    [Fact]
    public async Task TheConnectionStateIsPublishedRetainedOnBothSides()
    {
        await Broker.WaitForBridgeAsync();
        var stateTopic = $"$SYS/broker/connection/{Broker.RemoteClientId}/state";
        var local = await ConnectAsync();
        await local.SubscribeAsync(stateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var here = await local.Inbox.NextAsync("the bridge's state here");
        Assert.Equal(("1", true), (here.Text, here.Retain));

        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync(stateTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        var there = await remote.Inbox.NextAsync("the bridge's state at the remote");
        Assert.Equal(("1", true), (there.Text, there.Retain));
    }

    [Fact]
    public async Task UnmappedTopicsAreBridgedUnderTheirOwnName()
    {
        var topic = NewTopic();
        await Broker.WaitForBridgeAsync();
        var remote = await ConnectRemoteAsync(MqttProtocolVersion.V311);
        await remote.SubscribeAsync($"same/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync(version: MqttProtocolVersion.V311);

        await local.PublishAsync($"same/{topic}", "as-is", MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal($"same/{topic}", (await remote.Inbox.NextAsync("the message under its own topic")).Topic);
    }
}
