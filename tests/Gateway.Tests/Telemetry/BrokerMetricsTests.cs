using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Telemetry;

/// <summary>The broker's metrics move as clients connect, are refused, publish, receive and lose messages.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class BrokerMetricsTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>, IDisposable
{
    private readonly ManagementClient _management = new(broker);

    [Fact]
    public async Task Connections_are_counted_while_open_and_in_total()
    {
        var accepted = await _management.ScrapeAsync("mqtt_broker_connections_accepted_total");

        var first = await ConnectAsync();
        var second = await ConnectAsync();

        await _management.WaitForAsync("mqtt_broker_connections_accepted_total", null, accepted + 2);
        var active = await _management.WaitForAsync("mqtt_broker_connections_active", null, 2);
        await first.DisconnectAsync();
        await second.DisconnectAsync();
        await _management.WaitUntilAsync("mqtt_broker_connections_active", null, v => v <= active - 2, $"<= {active - 2} after two clients left");
    }

    [Fact]
    public async Task A_refused_connection_is_counted_with_its_reason()
    {
        const string Reason = "reason=\"BadAuthenticationMethod\"";
        var before = await _management.ScrapeAsync("mqtt_broker_connections_refused_total", Reason);

        // Enhanced authentication is not offered: the broker refuses the method.
        var client = await OpenRawAsync(MqttProtocolVersion.V500);
        await client.SendAsync(new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, AuthenticationMethod = "SCRAM-SHA-1" });
        var connAck = await client.ReceiveAsync<MqttConnAckPacket>("CONNACK");
        Assert.Equal(MqttConnectReasonCode.BadAuthenticationMethod, connAck.ReasonCode);

        await _management.WaitForAsync("mqtt_broker_connections_refused_total", Reason, before + 1);
    }

    [Fact]
    public async Task Messages_and_bytes_are_counted_in_and_out_by_QoS()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync();
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var received = await _management.ScrapeAsync("mqtt_broker_messages_received_total", "mqtt_qos=\"1\"");
        var sent = await _management.ScrapeAsync("mqtt_broker_messages_sent_total", "mqtt_qos=\"1\"");
        var bytes = await _management.ScrapeAsync("mqtt_broker_received_bytes_total", "mqtt_qos=\"1\"");

        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(topic, "0123456789", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await subscriber.Inbox.TakeAsync(3, "the three messages");
        await _management.WaitForAsync("mqtt_broker_messages_received_total", "mqtt_qos=\"1\"", received + 3);
        await _management.WaitForAsync("mqtt_broker_messages_sent_total", "mqtt_qos=\"1\"", sent + 3);
        await _management.WaitForAsync("mqtt_broker_received_bytes_total", "mqtt_qos=\"1\"", bytes + 30);
    }

    [Fact]
    public async Task A_message_too_large_for_the_subscriber_is_counted_as_dropped()
    {
        var publisher = await ConnectAsync();
        var subscriber = await ConnectAsync(configure: o => o.WithMaximumPacketSize(256));
        var topic = NewTopic();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        var before = await _management.ScrapeAsync("mqtt_broker_messages_dropped_total", "reason=\"too_large\"");

        await publisher.PublishAsync(topic, new byte[1024], MqttQualityOfServiceLevel.AtLeastOnce);

        await _management.WaitForAsync("mqtt_broker_messages_dropped_total", "reason=\"too_large\"", before + 1);
    }

    [Fact]
    public async Task Retained_messages_are_counted()
    {
        var publisher = await ConnectAsync();
        var before = await _management.ScrapeAsync("mqtt_broker_retained_messages");

        await publisher.PublishAsync(NewTopic(), "kept", MqttQualityOfServiceLevel.AtLeastOnce, retain: true);

        await _management.WaitForAsync("mqtt_broker_retained_messages", null, before + 1);
    }

    [Fact]
    public async Task Persistent_sessions_are_counted_online_then_offline_with_their_queue()
    {
        var clientId = NewClientId("gauged");
        var topic = NewTopic();
        var device = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        await device.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await _management.WaitForAsync("mqtt_broker_sessions", "state=\"online\"", 1);
        var offline = await _management.ScrapeAsync("mqtt_broker_sessions", "state=\"offline\"");
        var queued = await _management.ScrapeAsync("mqtt_broker_offline_queue_depth");

        await device.DisconnectAsync();
        await _management.WaitForAsync("mqtt_broker_sessions", "state=\"offline\"", offline + 1);
        var publisher = await ConnectAsync();
        await publisher.PublishAsync(topic, "for later", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "also for later", MqttQualityOfServiceLevel.AtLeastOnce);

        await _management.WaitForAsync("mqtt_broker_offline_queue_depth", null, queued + 2);
    }

    public void Dispose() => _management.Dispose();
}
