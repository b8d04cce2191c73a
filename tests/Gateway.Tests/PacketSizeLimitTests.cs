using System.Diagnostics;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>Per-connection limits (a broker with Mqtt:MaxPacketSize 1024, Mqtt:ConnectTimeout 1 s, Mqtt:MaxKeepAlive 30).</summary>
public sealed class PacketSizeLimitTests(SmallLimitsBrokerFixture broker)
    : BrokerTest<SmallLimitsBrokerFixture>(broker), IClassFixture<SmallLimitsBrokerFixture>
{
    [Fact]
    public async Task V5_connack_announces_the_maximum_packet_size()
    {
        var client = await ConnectAsync();

        // [MQTT-3.2.2-15]: the client must not send more than this.
        Assert.Equal((uint)SmallLimitsBrokerFixture.MaxPacketSize, client.ConnectResult!.MaximumPacketSize);
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Oversized_packet_closes_only_that_connection(MqttTransport transport, MqttProtocolVersion version)
    {
        var bystander = await ConnectAsync(transport, version);
        var offender = await ConnectAsync(transport, version);
        var topic = NewTopic();
        await bystander.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        // QoS 0: nothing to wait for but the broker's reaction, which may reach the client before its write returns
        // (the broker closes as soon as it has read the oversized header): then the call itself reports it.
        try
        {
            await offender.Mqtt.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(new byte[2 * SmallLimitsBrokerFixture.MaxPacketSize])
                .Build());
        }
        catch (Exception exception) when (exception is MQTTnet.Exceptions.MqttCommunicationException or MQTTnet.Exceptions.MqttClientUnexpectedDisconnectReceivedException)
        {
        }

        // [MQTT-4.13.1-1]/v5 0x95: the connection is closed, a v5 client hears why.
        var disconnected = await Within.Async(offender.Disconnected, "the broker to close the connection that sent too much");
        if (version == MqttProtocolVersion.V500)
        {
            Assert.Equal(MqttClientDisconnectReason.PacketTooLarge, disconnected.Reason);
        }

        await bystander.PublishAsync(topic, "unaffected", MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await bystander.Inbox.NextAsync("a message on the other connection");
        Assert.Equal("unaffected", received.Text);
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Packet_within_the_limit_is_accepted(MqttTransport transport)
    {
        var client = await ConnectAsync(transport);
        var topic = NewTopic();
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        await client.PublishAsync(topic, new byte[SmallLimitsBrokerFixture.MaxPacketSize - 200], MqttQualityOfServiceLevel.AtLeastOnce);

        Assert.Equal(SmallLimitsBrokerFixture.MaxPacketSize - 200, (await client.Inbox.NextAsync("a message just under the limit")).Payload.Length);
    }

    [Fact]
    public async Task Connection_without_connect_is_closed_after_the_connect_timeout()
    {
        var stopwatch = Stopwatch.StartNew();
        var client = await OpenRawAsync(MqttProtocolVersion.V311);

        // [MQTT-3.1.4-1] a server should close a network connection that does not send CONNECT in reasonable time.
        Assert.Empty(await client.ReceiveUntilClosedAsync("the broker to close a connection that never sent CONNECT", TimeSpan.FromSeconds(5)));
        Assert.InRange(stopwatch.Elapsed, SmallLimitsBrokerFixture.ConnectTimeout * 0.9, TimeSpan.FromSeconds(4));
    }

    [Theory]
    [InlineData(60, SmallLimitsBrokerFixture.MaxKeepAlive)]
    [InlineData(0, SmallLimitsBrokerFixture.MaxKeepAlive)]
    [InlineData(10, 0)]
    public async Task V5_server_keep_alive_caps_what_the_client_asks_for(int requested, int serverKeepAlive)
    {
        var client = await ConnectAsync(configure: o =>
        {
            if (requested == 0)
            {
                o.WithNoKeepAlive();
            }
            else
            {
                o.WithKeepAlivePeriod(TimeSpan.FromSeconds(requested));
            }
        });

        // [MQTT-3.2.2-21]: Server Keep Alive is sent when the broker uses another value than the client asked for.
        Assert.Equal(serverKeepAlive, client.ConnectResult!.ServerKeepAlive);
    }
}
