using System.Diagnostics;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>PINGREQ / PINGRESP and closing connections that stay silent beyond 1.5 x keep-alive.</summary>
public sealed class KeepAliveTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Ping_is_answered(MqttTransport transport, MqttProtocolVersion version)
    {
        var client = await ConnectAsync(transport, version);

        using var timeout = new CancellationTokenSource(Within.DefaultTimeout);
        await client.Mqtt.PingAsync(timeout.Token);

        Assert.True(client.Mqtt.IsConnected);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Silent_client_is_disconnected_after_one_and_a_half_keep_alive_periods(MqttProtocolVersion version)
    {
        var stopwatch = Stopwatch.StartNew();
        var client = await ConnectRawAsync(version, new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 1 });

        // [MQTT-3.1.2-24]: nothing for 1.5 x keep-alive closes the connection; v5 says why (0x8D).
        var packets = await client.ReceiveUntilClosedAsync("the broker to close a silent connection", TimeSpan.FromSeconds(5));
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1.4), TimeSpan.FromSeconds(4));
        if (version == MqttProtocolVersion.V500)
        {
            var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets));
            Assert.Equal(MqttDisconnectReasonCode.KeepAliveTimeout, disconnect.ReasonCode);
        }
        else
        {
            Assert.Empty(packets);
        }
    }

    [Fact]
    public async Task Pings_keep_a_connection_alive_beyond_its_keep_alive()
    {
        var client = await ConnectRawAsync(MqttProtocolVersion.V311, new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 1 });

        // Pings every 0.5 s for 2.5 s, longer than the 1.5 s the broker would wait for a silent client.
        for (var i = 0; i < 5; i++)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            await client.SendAsync(MqttPingReqPacket.Instance);
            await client.ReceiveAsync<MqttPingRespPacket>($"PINGRESP {i + 1}");
        }
    }

    [Fact]
    public async Task Mqttnet_client_with_short_keep_alive_stays_connected()
    {
        var client = await ConnectAsync(configure: o => o.WithKeepAlivePeriod(TimeSpan.FromSeconds(1)));
        var topic = NewTopic();
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);

        // The client's own PINGREQs (it sends one per keep-alive period when idle) keep the session open.
        var stopwatch = Stopwatch.StartNew();
        await Within.PollAsync(
            () => Task.FromResult(stopwatch.Elapsed > TimeSpan.FromSeconds(2.5) || !client.Mqtt.IsConnected),
            "2.5 s of idle connection",
            TimeSpan.FromSeconds(5),
            TimeSpan.FromMilliseconds(100));

        Assert.True(client.Mqtt.IsConnected, "the broker closed a connection that kept sending PINGREQ");
        await client.PublishAsync(topic, "alive", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("alive", (await client.Inbox.NextAsync("message after idling")).Text);
    }
}
