using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>The will message: published when a connection fails, not after a normal DISCONNECT.</summary>
public sealed class WillTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Will_is_published_when_the_connection_drops(MqttTransport transport, MqttProtocolVersion version)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync(transport, version);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var device = await ConnectAsync(transport, version, configure: o => o
            .WithWillTopic(topic)
            .WithWillPayload("offline")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce));

        // The socket goes away without DISCONNECT [MQTT-3.1.2-8].
        device.Abort();

        var will = await subscriber.Inbox.NextAsync("the will after the connection dropped");
        Assert.Equal(topic, will.Topic);
        Assert.Equal("offline", will.Text);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, will.QualityOfService);
        Assert.False(will.Retain);
    }

    [Fact]
    public async Task Will_of_a_raw_socket_closed_without_disconnect_is_published()
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var device = await ConnectRawAsync(MqttProtocolVersion.V311, WillConnect(topic, keepAlive: 30));

        device.Abort();

        Assert.Equal("gone", (await subscriber.Inbox.NextAsync("the will after the socket closed")).Text);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Will_is_published_when_keep_alive_expires(MqttProtocolVersion version)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var started = DateTime.UtcNow;

        // Keep-alive 1 s, then silence: the broker gives up after 1.5 s [MQTT-3.1.2-24] and publishes the will.
        await ConnectRawAsync(version, WillConnect(topic, keepAlive: 1));

        var will = await subscriber.Inbox.NextAsync("the will after the keep-alive expired", TimeSpan.FromSeconds(5));
        Assert.Equal("gone", will.Text);
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1.4), "the will came before 1.5 x keep-alive had passed");
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Will_is_not_published_after_a_normal_disconnect(MqttProtocolVersion version)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var device = await ConnectRawAsync(version, WillConnect(topic, keepAlive: 30));

        // [MQTT-3.14.4-3]: DISCONNECT (v5: reason 0x00) discards the will. The broker closes the socket only
        // after it has dealt with the will, so once it is closed a marker on the topic comes after any will.
        await device.SendAsync(new MqttDisconnectPacket { ReasonCode = MqttDisconnectReasonCode.NormalDisconnection });
        Assert.Empty(await device.ReceiveUntilClosedAsync("the broker to close the connection after DISCONNECT"));
        var marker = NewMarker();
        await subscriber.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal([marker], (await subscriber.Inbox.UntilMarkerAsync(marker)).Select(m => m.Text));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task V5_disconnect_with_will_message_publishes_the_will(MqttTransport transport)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync(transport);
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var device = await ConnectAsync(transport, configure: o => o
            .WithWillTopic(topic)
            .WithWillPayload("asked for")
            .WithWillContentType("text/plain")
            .WithWillUserProperty("reason", Encoding.UTF8.GetBytes("test")));

        // v5 DISCONNECT reason 0x04: disconnect with will message [MQTT-3.14.2.1].
        await device.DisconnectAsync(MqttClientDisconnectOptionsReason.DisconnectWithWillMessage);

        var will = await subscriber.Inbox.NextAsync("the will after DISCONNECT 0x04");
        Assert.Equal("asked for", will.Text);
        Assert.Equal("text/plain", will.Message.ContentType);
        var property = Assert.Single(will.Message.UserProperties);
        Assert.Equal(("reason", "test"), (property.Name, property.ReadValueAsString()));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Will_of_a_connection_taken_over_is_published(MqttProtocolVersion version)
    {
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var clientId = NewClientId();
        var first = await ConnectAsync(version: version, clientId: clientId, configure: o => o.WithWillTopic(topic).WithWillPayload("taken over"));

        // The old connection is closed by the server, not by a DISCONNECT from its client, and no will delay
        // applies: its will is published [MQTT-3.1.2-8].
        await ConnectAsync(version: version, clientId: clientId);

        await Within.Async(first.Disconnected, "the first connection to be closed");
        Assert.Equal("taken over", (await subscriber.Inbox.NextAsync("the will of the replaced connection")).Text);
    }

    [Fact]
    public async Task Retained_will_is_kept_as_the_retained_message()
    {
        var topic = NewTopic();
        var live = await ConnectAsync();
        await live.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var device = await ConnectAsync(configure: o => o.WithWillTopic(topic).WithWillPayload("last words").WithWillRetain());

        device.Abort();

        // The topic stores a retained message before it forwards it, so once it arrived live it is retained.
        Assert.Equal("last words", (await live.Inbox.NextAsync("the will, live")).Text);
        var later = await ConnectAsync();
        Assert.Equal(["last words"], await SubscribeForRetainedAsync(later, topic));
    }

    private static MqttConnectPacket WillConnect(string topic, ushort keepAlive) => new()
    {
        ClientId = NewClientId("will"),
        CleanSession = true,
        KeepAlivePeriod = keepAlive,
        WillFlag = true,
        WillTopic = topic,
        WillMessage = Encoding.UTF8.GetBytes("gone"),
        WillQoS = MqttQualityOfServiceLevel.AtLeastOnce,
    };
}
