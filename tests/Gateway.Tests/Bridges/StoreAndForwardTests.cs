using Microsoft.Extensions.DependencyInjection;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// QoS 1/2 messages for a bridge whose remote is down are kept in storage and sent, in order, when it returns —
/// also after our broker restarted meanwhile; beyond the bridge's limit new ones are dropped and counted.
/// </summary>
public sealed class StoreAndForwardTests(StoreAndForwardBridgeFixture broker)
    : BridgeTest<StoreAndForwardBridgeFixture>(broker), IClassFixture<StoreAndForwardBridgeFixture>
{
    private const int Count = 300;

    [Fact]
    public async Task MessagesPublishedWhileTheRemoteIsDownAllArriveInOrderWhenItReturns()
    {
        var topic = NewTopic();
        var subscriber = await PersistentRemoteSubscriberAsync($"saf/{topic}");
        var sent = Enumerable.Range(0, Count).Select(i => $"m{i:D4}").ToList();
        var local = await ConnectAsync(version: MqttProtocolVersion.V311);
        await local.PublishAsync($"saf/{topic}", sent[0], MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(sent[0], (await subscriber.Client.Inbox.NextAsync("the first message, bridged live")).Text);

        await Broker.Remote.StopAsync();
        await Broker.WaitForBridgeAsync(connected: false);
        foreach (var payload in sent.Skip(1))
        {
            await local.PublishAsync($"saf/{topic}", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        Assert.Equal(Count - 1, (await Broker.Bridge.GetStatusAsync()).Queued);
        await Broker.Remote.StartAgainAsync();
        var again = await ConnectRemoteAsync(MqttProtocolVersion.V311, subscriber.ClientId, cleanSession: false);

        var received = await again.Inbox.TakeAsync(Count - 1, "the messages kept while the remote was down", TimeSpan.FromSeconds(30));
        Assert.Equal(sent.Skip(1), InOrderOnce(received));
    }

    [Fact]
    public async Task TheQueueSurvivesARestartOfOurBroker()
    {
        var topic = NewTopic();
        var subscriber = await PersistentRemoteSubscriberAsync($"saf/{topic}");
        await Broker.Remote.StopAsync();
        await Broker.WaitForBridgeAsync(connected: false);

        var sent = Enumerable.Range(0, 50).Select(i => $"r{i:D3}").ToList();
        var local = await ConnectAsync();
        foreach (var payload in sent)
        {
            await local.PublishAsync($"saf/{topic}", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await Broker.RestartAsync();
        await Broker.Remote.StartAgainAsync();
        var again = await ConnectRemoteAsync(MqttProtocolVersion.V311, subscriber.ClientId, cleanSession: false);

        var received = await again.Inbox.TakeAsync(sent.Count, "the messages kept across our restart", TimeSpan.FromSeconds(30));
        Assert.Equal(sent, InOrderOnce(received));
    }

    [Fact]
    public async Task ARemoteThatLostItsRetainedMessagesGetsThemAgainWhenTheBridgeReconnects()
    {
        var topic = $"saf/{NewTopic()}/retained";
        var subscriber = await PersistentRemoteSubscriberAsync(topic);
        var local = await ConnectAsync();
        await local.PublishAsync(topic, "kept-here", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);
        await subscriber.Client.Inbox.NextAsync("the retained message, bridged live");

        // Killed, the remote saves nothing: the retained message is gone there, not here.
        var sentBefore = (await Broker.Bridge.GetStatusAsync()).Sent;
        await Broker.Remote.KillAsync();
        await Broker.WaitForBridgeAsync(connected: false);
        await Broker.Remote.StartAgainAsync();
        await Within.PollAsync(
            async () => await Broker.Bridge.GetStatusAsync() is { Connected: true, Queued: 0 } status && status.Sent > sentBefore,
            "the bridge to reconnect and send the retained message again",
            TimeSpan.FromSeconds(20),
            TimeSpan.FromMilliseconds(50));

        var late = await ConnectRemoteAsync();
        await late.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await late.Inbox.NextAsync("the retained message, sent again at the reconnection");
        Assert.Equal(("kept-here", true), (received.Text, received.Retain));
    }

    [Fact]
    public async Task BeyondTheLimitNewMessagesAreDroppedAndCounted()
    {
        var unreachable = Broker.Services.GetRequiredService<IGrainFactory>().GetGrain<IBridgeGrain>(StoreAndForwardBridgeFixture.UnreachableBridgeName);
        var before = await unreachable.GetStatusAsync();
        var local = await ConnectAsync();
        var room = StoreAndForwardBridgeFixture.UnreachableQueueLimit - before.Queued;
        for (var i = 0; i < room + 3; i++)
        {
            // Acknowledged either way: the publisher is not held back by a bridge that cannot keep up.
            await local.PublishAsync($"unreachable/{NewTopic()}", $"u{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var after = await unreachable.GetStatusAsync();
        Assert.Equal((false, StoreAndForwardBridgeFixture.UnreachableQueueLimit, before.Dropped + 3), (after.Connected, after.Queued, after.Dropped));

        // The same in /metrics: the drops by reason, the queue and the connection per bridge.
        using var management = new ManagementClient(Broker);
        await management.WaitForAsync("mqtt_broker_messages_dropped_total", "reason=\"bridge_queue_full\"", after.Dropped);
        await management.WaitUntilAsync("mqtt_broker_bridge_queue_depth", "bridge=\"unreachable\"", v => v == StoreAndForwardBridgeFixture.UnreachableQueueLimit, $"= {StoreAndForwardBridgeFixture.UnreachableQueueLimit}");
        await management.WaitUntilAsync("mqtt_broker_bridge_connected", "bridge=\"unreachable\"", v => v == 0, "= 0");
        await Broker.WaitForBridgeAsync();
        await management.WaitUntilAsync("mqtt_broker_bridge_connected", $"bridge=\"{Broker.BridgeName}\"", v => v == 1, "= 1");
    }

    /// <summary>A persistent session at the remote (which Mosquitto keeps across its restart) subscribed to <paramref name="filter"/>.</summary>
    private async Task<(string ClientId, TestClient Client)> PersistentRemoteSubscriberAsync(string filter)
    {
        await Broker.WaitForBridgeAsync();
        var clientId = NewClientId("s");
        var client = await ConnectRemoteAsync(MqttProtocolVersion.V311, clientId, cleanSession: false);
        await client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        return (clientId, client);
    }
}
