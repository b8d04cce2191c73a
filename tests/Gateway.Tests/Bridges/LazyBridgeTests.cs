using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>Mosquitto's <c>start_type lazy</c> with <c>threshold</c> and <c>idle_timeout</c>.</summary>
public sealed class LazyBridgeTests(LazyBridgeFixture broker)
    : BridgeTest<LazyBridgeFixture>(broker), IClassFixture<LazyBridgeFixture>
{
    [Fact]
    public async Task ALazyBridgeConnectsAtItsThresholdAndLeavesWhenIdle()
    {
        var topic = NewTopic();
        var remote = await ConnectRemoteAsync();
        await remote.SubscribeAsync($"lazy/{topic}", MqttQualityOfServiceLevel.AtLeastOnce);
        var local = await ConnectAsync();
        Assert.False((await Broker.Bridge.GetStatusAsync()).Connected, "a lazy bridge connects only when messages wait");

        var sent = Enumerable.Range(0, LazyBridgeFixture.Threshold).Select(i => $"lazy{i}").ToList();
        foreach (var payload in sent.SkipLast(1))
        {
            await local.PublishAsync($"lazy/{topic}", payload, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        var below = await Broker.Bridge.GetStatusAsync();
        Assert.Equal((false, LazyBridgeFixture.Threshold - 1), (below.Connected, below.Queued));

        await local.PublishAsync($"lazy/{topic}", sent[^1], MqttQualityOfServiceLevel.AtLeastOnce);

        var received = await remote.Inbox.TakeAsync(sent.Count, "the messages a lazy bridge held until its threshold");
        Assert.Equal(sent, received.Select(m => m.Text));
        await Broker.WaitForBridgeAsync(connected: false);
    }
}
