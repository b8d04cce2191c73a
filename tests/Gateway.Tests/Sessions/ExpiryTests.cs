using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// Session expiry on the broker's fake clock: a session is there until its expiry interval has passed since the
/// connection closed, then it is gone with its subscriptions and queue (v5 interval; 3.1.1 the configured default).
/// </summary>
public sealed class ExpiryTests(FakeClockBrokerFixture broker) : BrokerTest<FakeClockBrokerFixture>(broker), IClassFixture<FakeClockBrokerFixture>
{
    private const uint Expiry = 10;

    public static TheoryData<MqttProtocolVersion, int> ExpiryOfEachVersion => new()
    {
        { MqttProtocolVersion.V500, (int)Expiry },
        { MqttProtocolVersion.V311, (int)FakeClockBrokerFixture.PersistentClientExpiration.TotalSeconds },
    };

    [Theory]
    [MemberData(nameof(ExpiryOfEachVersion))]
    public async Task Session_is_kept_until_just_before_its_expiry(MqttProtocolVersion version, int expirySeconds)
    {
        var (clientId, topic, publisher) = await LeaveQueuedMessageAsync(version);

        await Broker.AdvanceAsync(TimeSpan.FromSeconds(expirySeconds) - TimeSpan.FromMilliseconds(1));

        var resumed = await ReconnectAsync(version, clientId);
        Assert.True(resumed.ConnectResult!.IsSessionPresent, "the session must be there before its expiry interval passed");
        Assert.Equal("queued", (await resumed.Inbox.NextAsync("the queued message")).Text);
        await AssertSubscribedAsync(resumed, publisher, topic);
    }

    [Theory]
    [MemberData(nameof(ExpiryOfEachVersion))]
    public async Task Session_is_gone_once_its_expiry_passed(MqttProtocolVersion version, int expirySeconds)
    {
        var (clientId, topic, publisher) = await LeaveQueuedMessageAsync(version);

        // 3.1.2.11.2: the server deletes the session when the interval has passed since the connection closed.
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(expirySeconds));
        await Within.PollAsync(
            () => Task.FromResult(Broker.Log.Lines.Any(l => l.Contains($"Session '{clientId}' expired", StringComparison.Ordinal))),
            "the session grain to log the expiry",
            Within.DefaultTimeout,
            TimeSpan.FromMilliseconds(10));

        // Nothing queued for it any more, even before it reconnects.
        await publisher.PublishAsync(topic, "after expiry", MqttQualityOfServiceLevel.AtLeastOnce);
        var fresh = await ReconnectAsync(version, clientId);
        Assert.False(fresh.ConnectResult!.IsSessionPresent, "an expired session must not be resumed");

        // The witness gets the message through the same delivery the client would: after it, a marker on the
        // client's new subscription comes after anything the broker had sent the client.
        var markerTopic = NewTopic() + "/marker";
        await fresh.SubscribeAsync(markerTopic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "not subscribed any more", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("not subscribed any more", (await publisher.Inbox.NextAsync("the message at the witness")).Text);
        var marker = NewMarker();
        await publisher.PublishAsync(markerTopic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await fresh.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Fact]
    public async Task Disconnect_can_extend_the_session_expiry()
    {
        var clientId = NewClientId("exp");
        var client = await ReconnectAsync(MqttProtocolVersion.V500, clientId);

        // [MQTT-3.14.2-2] allows a v5 DISCONNECT to change a non-zero expiry.
        using (var timeout = new CancellationTokenSource(Within.DefaultTimeout))
        {
            await client.Mqtt.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval(Expiry * 10).Build(), timeout.Token);
        }

        await Broker.WaitForConnectionsAsync(0);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(Expiry * 5));

        var resumed = await ReconnectAsync(MqttProtocolVersion.V500, clientId);
        Assert.True(resumed.ConnectResult!.IsSessionPresent, "the expiry from DISCONNECT applies");
    }

    [Fact]
    public async Task Expiry_counts_from_the_last_disconnect()
    {
        var (clientId, _, _) = await LeaveQueuedMessageAsync(MqttProtocolVersion.V500);
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(Expiry - 1));

        var resumed = await ReconnectAsync(MqttProtocolVersion.V500, clientId);
        Assert.True(resumed.ConnectResult!.IsSessionPresent);
        await resumed.DisconnectAsync();
        await Broker.WaitForConnectionsAsync(1);

        // The earlier offline time does not count any more.
        await Broker.AdvanceAsync(TimeSpan.FromSeconds(Expiry - 1));
        var again = await ReconnectAsync(MqttProtocolVersion.V500, clientId);
        Assert.True(again.ConnectResult!.IsSessionPresent, "the expiry restarts at each disconnect");
    }

    [Fact]
    public async Task Queued_message_expires_and_the_remaining_interval_is_forwarded()
    {
        var clientId = NewClientId("msgexp");
        var topic = NewTopic();
        var subscriber = await ReconnectAsync(MqttProtocolVersion.V500, clientId);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync(configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero));
        await Broker.WaitForConnectionsAsync(1);
        await publisher.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("short").WithMessageExpiryInterval(3)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await publisher.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload("long").WithMessageExpiryInterval(8)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());

        await Broker.AdvanceAsync(TimeSpan.FromSeconds(5));

        // [MQTT-3.3.2-5]: an expired message is not delivered; [MQTT-3.3.2-6]: the rest goes with what is left.
        var resumed = await ReconnectAsync(MqttProtocolVersion.V500, clientId);
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await resumed.Inbox.UntilMarkerAsync(marker);
        Assert.Equal(["long", marker], received.Select(m => m.Text));
        Assert.Equal(3u, received[0].Message.MessageExpiryInterval);
    }

    /// <summary>A persistent session subscribed to a topic, offline, with one message queued.</summary>
    private async Task<(string ClientId, string Topic, TestClient Publisher)> LeaveQueuedMessageAsync(MqttProtocolVersion version)
    {
        var clientId = NewClientId("exp");
        var topic = NewTopic();
        var subscriber = await ReconnectAsync(version, clientId);
        Assert.False(subscriber.ConnectResult!.IsSessionPresent);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await subscriber.DisconnectAsync();
        var publisher = await ConnectAsync(configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero));
        await Broker.WaitForConnectionsAsync(1);
        await publisher.PublishAsync(topic, "queued", MqttQualityOfServiceLevel.AtLeastOnce);
        return (clientId, topic, publisher);
    }

    private Task<TestClient> ReconnectAsync(MqttProtocolVersion version, string clientId) =>
        ConnectAsync(version: version, clientId: clientId, configure: o => o.WithKeepAlivePeriod(TimeSpan.Zero).WithPersistentSession(version, Expiry));

    private static async Task AssertSubscribedAsync(TestClient client, TestClient publisher, string topic)
    {
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal([marker], (await client.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }
}
