using System.Buffers;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests;

/// <summary>CONNECT / CONNACK: capabilities, client identifiers, protocol levels, one CONNECT per connection, takeover.</summary>
public sealed class ConnectTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task V5_connack_announces_the_broker_capabilities(MqttTransport transport)
    {
        var client = await ConnectAsync(transport, MqttProtocolVersion.V500);

        // A CONNACK without Maximum QoS means QoS 2 [MQTT-3.2.2-9]; MQTTnet reports that as ExactlyOnce.
        var connAck = client.ConnectResult!;
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, connAck.MaximumQoS);
        Assert.True(connAck.RetainAvailable);
        Assert.True(connAck.WildcardSubscriptionAvailable);
        Assert.True(connAck.SubscriptionIdentifiersAvailable);
        Assert.True(connAck.SharedSubscriptionAvailable);
        Assert.True(connAck.TopicAliasMaximum > 0, "TopicAliasMaximum should allow inbound topic aliases");
        Assert.True(connAck.ReceiveMaximum > 0, "ReceiveMaximum must not be 0 [MQTT-3.2.2.3.3]");
        Assert.False(connAck.IsSessionPresent);
        Assert.True(string.IsNullOrEmpty(connAck.AssignedClientIdentifier), "a client that sent an id gets none assigned");
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Empty_client_id_with_clean_session_is_accepted_and_usable(MqttTransport transport, MqttProtocolVersion version)
    {
        var client = await ConnectAsync(transport, version, clientId: string.Empty, configure: o => o.WithCleanSession(true));

        if (version == MqttProtocolVersion.V500)
        {
            // [MQTT-3.2.2-16]: the server tells a v5 client the id it assigned.
            Assert.False(string.IsNullOrEmpty(client.ConnectResult!.AssignedClientIdentifier));
        }

        var topic = NewTopic();
        await client.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await client.PublishAsync(topic, "hello", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("hello", (await client.Inbox.NextAsync("own message on an assigned client id")).Text);
    }

    [Fact]
    public async Task V311_empty_client_id_without_clean_session_is_refused_identifier_rejected()
    {
        var client = await OpenRawAsync(MqttProtocolVersion.V311);

        // Hand-encoded, as MQTTnet refuses to send it: CONNECT "MQTT" level 4, flags 0 (no clean session),
        // keep-alive 30, empty client id.
        await client.SendBytesAsync([0x10, 0x0C, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0x00, 0x00, 0x1E, 0x00, 0x00]);

        // [MQTT-3.1.3-8]: CONNACK 0x02 (identifier rejected), then the connection closes [MQTT-3.2.2-5].
        var connAck = await client.ReceiveAsync<MqttConnAckPacket>("CONNACK refusing the empty client id");
        Assert.Equal(MqttConnectReturnCode.ConnectionRefusedIdentifierRejected, connAck.ReturnCode);
        Assert.Empty(await client.ReceiveUntilClosedAsync("the broker to close the refused connection"));
    }

    [Theory]
    [MemberData(nameof(Matrix.Transports), MemberType = typeof(Matrix))]
    public async Task Mqtt_3_1_0_clients_connect_subscribe_and_publish(MqttTransport transport)
    {
        var subscriber = await ConnectAsync(transport, MqttProtocolVersion.V310);
        var publisher = await ConnectAsync(transport, MqttProtocolVersion.V310);
        var topic = NewTopic();

        var granted = await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS2, Assert.Single(granted.Items).ResultCode);
        await publisher.PublishAsync(topic, "from 3.1", MqttQualityOfServiceLevel.ExactlyOnce);

        var received = await subscriber.Inbox.NextAsync("message between MQTT 3.1 clients");
        Assert.Equal("from 3.1", received.Text);
        Assert.Equal(MqttQualityOfServiceLevel.ExactlyOnce, received.QualityOfService);
    }

    [Fact]
    public async Task Unsupported_protocol_level_is_refused_with_0x01()
    {
        var client = await OpenRawAsync(MqttProtocolVersion.V311);

        // CONNECT "MQTT" level 9, clean session, keep-alive 30, client id "x".
        await client.SendBytesAsync([0x10, 0x0D, 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x09, 0x02, 0x00, 0x1E, 0x00, 0x01, (byte)'x']);

        // [MQTT-3.1.2-2]: CONNACK 0x01 (unacceptable protocol level), then close.
        var connAck = await client.ReceiveAsync<MqttConnAckPacket>("CONNACK refusing protocol level 9");
        Assert.Equal(MqttConnectReturnCode.ConnectionRefusedUnacceptableProtocolVersion, connAck.ReturnCode);
        Assert.Empty(await client.ReceiveUntilClosedAsync("the broker to close the connection"));
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Second_connect_on_one_connection_closes_it(MqttProtocolVersion version)
    {
        var connect = new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 };
        var client = await ConnectRawAsync(version, connect);

        // [MQTT-3.1.0-2]: a second CONNECT is a protocol violation; the connection is closed.
        await client.SendAsync(connect);

        var packets = await client.ReceiveUntilClosedAsync("the broker to close the connection after a second CONNECT");
        if (version == MqttProtocolVersion.V500)
        {
            var disconnect = Assert.IsType<MqttDisconnectPacket>(Assert.Single(packets));
            Assert.Equal(MqttDisconnectReasonCode.ProtocolError, disconnect.ReasonCode);
        }
        else
        {
            Assert.Empty(packets);
        }
    }

    [Theory]
    [MemberData(nameof(Matrix.TransportsAndVersions), MemberType = typeof(Matrix))]
    public async Task Same_client_id_takes_over_and_closes_the_first_connection(MqttTransport transport, MqttProtocolVersion version)
    {
        var clientId = NewClientId();
        var first = await ConnectAsync(transport, version, clientId);

        var second = await ConnectAsync(transport, version, clientId);

        // [MQTT-3.1.4-3]: the existing connection is closed, v5 with reason 0x8E Session taken over.
        var disconnected = await Within.Async(first.Disconnected, "the first connection to be closed on takeover");
        if (version == MqttProtocolVersion.V500)
        {
            Assert.Equal(MqttClientDisconnectReason.SessionTakenOver, disconnected.Reason);
        }

        Assert.True(second.Mqtt.IsConnected);
        var topic = NewTopic();
        await second.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await second.PublishAsync(topic, "still here", MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal("still here", (await second.Inbox.NextAsync("message on the new connection")).Text);
    }

    [Fact]
    public async Task Packets_sent_right_behind_connect_are_processed_in_order()
    {
        var client = await OpenRawAsync(MqttProtocolVersion.V311);
        var topic = NewTopic();
        var formatter = new MqttPacketFormatterAdapter(MqttProtocolVersion.V311, new MQTTnet.Formatter.MqttBufferWriter(4096, 65535));
        byte[] Encode(MqttPacket packet)
        {
            var bytes = formatter.Encode(packet).ToArray();
            formatter.Cleanup();
            return bytes;
        }

        // Small devices often write CONNECT, SUBSCRIBE and PUBLISH in one go without waiting for CONNACK.
        await client.SendBytesAsync([
            .. Encode(new MqttConnectPacket { ClientId = NewClientId(), CleanSession = true, KeepAlivePeriod = 30 }),
            .. Encode(new MqttSubscribePacket { PacketIdentifier = 1, TopicFilters = [new MqttTopicFilter { Topic = topic, QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce }] }),
            .. Encode(new MqttPublishPacket { Topic = topic, PayloadSegment = "pipelined"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.AtLeastOnce, PacketIdentifier = 2 }),
        ]);

        Assert.Equal(MqttConnectReturnCode.ConnectionAccepted, (await client.ReceiveAsync<MqttConnAckPacket>("CONNACK")).ReturnCode);
        Assert.Equal(1, (await client.ReceiveAsync<MqttSubAckPacket>("SUBACK")).PacketIdentifier);
        var replies = new List<MqttPacket>
        {
            (await client.ReceiveAsync("PUBACK or the PUBLISH back"))!,
            (await client.ReceiveAsync("PUBACK or the PUBLISH back"))!,
        };
        Assert.Equal(2, Assert.Single(replies.OfType<MqttPubAckPacket>()).PacketIdentifier);
        Assert.Equal("pipelined"u8.ToArray(), Assert.Single(replies.OfType<MqttPublishPacket>()).Payload.ToArray());
    }

    [Fact]
    public async Task V5_enhanced_authentication_is_refused_with_bad_authentication_method()
    {
        var options = Options(MqttTransport.Tcp, MqttProtocolVersion.V500).WithEnhancedAuthentication("SCRAM-SHA-1").Build();

        var client = await TryConnectAsync(MqttProtocolVersion.V500, options);

        // No AUTH exchange is offered: CONNACK 0x8C [MQTT-4.12.0-1].
        Assert.Equal(MqttClientConnectResultCode.BadAuthenticationMethod, client.ConnectResult!.ResultCode);
    }
}
