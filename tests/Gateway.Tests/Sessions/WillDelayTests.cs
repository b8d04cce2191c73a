using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// MQTT 5 will delay interval on the broker's fake clock: the will waits for the delay (or the end of the session,
/// whichever comes first, [MQTT-3.1.2-8]) and is dropped when the client comes back in time [MQTT-3.1.3-9].
/// </summary>
public sealed class WillDelayTests(FakeClockBrokerFixture broker) : BrokerTest<FakeClockBrokerFixture>(broker), IClassFixture<FakeClockBrokerFixture>
{
    private const uint WillDelay = 10;

    [Fact]
    public async Task Will_waits_for_its_delay()
    {
        var topic = NewTopic();
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(NewClientId("will"), topic, sessionExpiry: 300);

        device.Abort();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay / 2));
        await AssertNoWillYetAsync(watcher, topic);

        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay / 2));
        Assert.Equal("gone", (await watcher.Inbox.NextAsync("the will once its delay passed")).Text);
    }

    [Fact]
    public async Task Reconnect_within_the_delay_cancels_the_will()
    {
        var topic = NewTopic();
        var clientId = NewClientId("will");
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(clientId, topic, sessionExpiry: 300);

        device.Abort();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay / 2));

        // Back before the delay passed: the first will is never sent [MQTT-3.1.3-9], not even much later.
        var back = await ConnectDeviceAsync(clientId, topic, sessionExpiry: 300);
        Assert.True(back.ConnectResult!.IsSessionPresent);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay * 2));
        await AssertNoWillYetAsync(watcher, topic);

        // The reconnected client's own will follows the same rules when it drops in turn.
        back.Abort();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay));
        Assert.Equal("gone", (await watcher.Inbox.NextAsync("the will of the second connection")).Text);
        await AssertNoWillYetAsync(watcher, topic);
    }

    [Fact]
    public async Task Will_goes_out_when_the_session_ends_before_the_delay()
    {
        var topic = NewTopic();
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(NewClientId("will"), topic, sessionExpiry: 4);

        // Will delay 10 s, session expiry 4 s: the will is published when the session ends [MQTT-3.1.2-8].
        device.Abort();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(3));
        await AssertNoWillYetAsync(watcher, topic);

        await Broker.AdvanceAsync(TimeSpan.FromSeconds(1));
        Assert.Equal("gone", (await watcher.Inbox.NextAsync("the will at the end of the session")).Text);
    }

    [Fact]
    public async Task Clean_start_within_the_delay_ends_the_old_session_and_publishes_its_will()
    {
        var topic = NewTopic();
        var clientId = NewClientId("will");
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(clientId, topic, sessionExpiry: 300);

        device.Abort();
        await Broker.WaitForConnectionsAsync(1);

        // Clean start discards the old session [MQTT-3.1.2-4]; a session that ends publishes its pending will.
        var fresh = await ConnectAsync(clientId: clientId, configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero).WithCleanStart(true));
        Assert.False(fresh.ConnectResult!.IsSessionPresent);
        Assert.Equal("gone", (await watcher.Inbox.NextAsync("the will of the discarded session")).Text);
    }

    [Fact]
    public async Task Disconnect_with_will_message_publishes_the_will_after_its_delay()
    {
        var topic = NewTopic();
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(NewClientId("will"), topic, sessionExpiry: 300);

        // DISCONNECT reason 0x04 asks for the will (3.14.2.1); the will delay still applies.
        await device.DisconnectAsync(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage);
        await Broker.WaitForConnectionsAsync(1);
        await AssertNoWillYetAsync(watcher, topic);

        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay));
        Assert.Equal("gone", (await watcher.Inbox.NextAsync("the will after DISCONNECT 0x04 and the delay")).Text);
    }

    [Fact]
    public async Task Normal_disconnect_discards_a_delayed_will()
    {
        var topic = NewTopic();
        var watcher = await WatchAsync(topic);
        var device = await ConnectDeviceAsync(NewClientId("will"), topic, sessionExpiry: 300);

        // [MQTT-3.14.4-3]: DISCONNECT with reason 0x00 deletes the will.
        await device.DisconnectAsync();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay * 2));
        await AssertNoWillYetAsync(watcher, topic);
    }

    [Fact]
    public async Task Delayed_will_keeps_retain_flag_and_properties()
    {
        var topic = NewTopic();
        var watcher = await WatchAsync(topic);
        var device = await ConnectAsync(clientId: NewClientId("will"), configure: o => o
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(300)
            .WithWillTopic(topic)
            .WithWillPayload("last words")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillRetain()
            .WithWillDelayInterval(WillDelay)
            .WithWillMessageExpiryInterval(120)
            .WithWillContentType("text/plain")
            .WithWillResponseTopic("replies/here")
            .WithWillCorrelationData(Encoding.UTF8.GetBytes("corr"))
            .WithWillPayloadFormatIndicator(MqttPayloadFormatIndicator.CharacterData)
            .WithWillUserProperty("k", Encoding.UTF8.GetBytes("v")));

        device.Abort();
        await Broker.WaitForConnectionsAsync(1);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(WillDelay));

        // The will travelled through the session's stored state; all of it arrives (3.1.3.2).
        var will = await watcher.Inbox.NextAsync("the delayed will");
        Assert.Equal("last words", will.Text);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, will.QualityOfService);
        Assert.Equal("text/plain", will.Message.ContentType);
        Assert.Equal("replies/here", will.Message.ResponseTopic);
        Assert.Equal("corr", Encoding.UTF8.GetString(will.Message.CorrelationData));
        Assert.Equal(MqttPayloadFormatIndicator.CharacterData, will.Message.PayloadFormatIndicator);
        Assert.Equal([("k", "v")], will.Message.UserProperties.Select(p => (p.Name, p.ReadValueAsString())));

        // Message expiry counts from publication (3.1.3.2.4), and the will is retained (3.1.2.7).
        Assert.Equal(120u, will.Message.MessageExpiryInterval);
        var later = await ConnectAsync(configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero));
        Assert.Equal(["last words"], await SubscribeForRetainedAsync(later, topic));
    }

    private async Task<TestClient> WatchAsync(string topic)
    {
        var watcher = await ConnectAsync(configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero));
        await watcher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await Broker.WaitForConnectionsAsync(1);
        return watcher;
    }

    private Task<TestClient> ConnectDeviceAsync(string clientId, string topic, uint sessionExpiry) =>
        ConnectAsync(clientId: clientId, configure: o => o
            .WithKeepAlivePeriod(TimeSpan.Zero)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(sessionExpiry)
            .WithWillTopic(topic)
            .WithWillPayload("gone")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithWillDelayInterval(WillDelay));

    /// <summary>The watcher's own marker on the will topic comes after any will published before it.</summary>
    private static async Task AssertNoWillYetAsync(TestClient watcher, string topic)
    {
        var marker = NewMarker();
        await watcher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await watcher.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }
}
