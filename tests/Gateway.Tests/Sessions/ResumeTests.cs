using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// Resuming a session finishes what its last connection left open: unacknowledged QoS 1/2 PUBLISH packets again
/// with DUP and their packet ids, PUBREL where PUBREC had arrived [MQTT-4.4.0-1], and inbound QoS 2 packet ids
/// stay known so a re-sent PUBLISH is not delivered twice [MQTT-4.3.3-10].
/// </summary>
public sealed class ResumeTests(BrokerFixture broker) : BrokerTest<BrokerFixture>(broker), IClassFixture<BrokerFixture>
{
    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Unacknowledged_qos1_messages_are_resent_with_dup_and_their_packet_ids(MqttProtocolVersion version)
    {
        var clientId = NewClientId("resume");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var device = await ConnectRawAsync(version, PersistentSession.Connect(clientId, version));
        await device.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        for (var i = 0; i < 3; i++)
        {
            await publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce);
        }

        // Received, never acknowledged, then the connection drops.
        var sent = new List<MqttPublishPacket>();
        for (var i = 0; i < 3; i++)
        {
            sent.Add(await device.ReceivePublishAsync($"message {i}"));
        }

        Assert.All(sent, p => Assert.False(p.Dup));
        Assert.Equal(3, sent.Select(p => p.PacketIdentifier).Distinct().Count());
        device.Abort();
        await Broker.WaitForConnectionsAsync(1);

        var resumed = await OpenRawAsync(version);
        Assert.True((await resumed.ConnectAsync(PersistentSession.Connect(clientId, version))).IsSessionPresent);
        for (var i = 0; i < 3; i++)
        {
            var again = await resumed.ReceivePublishAsync($"message {i} again");
            Assert.True(again.Dup, "a re-sent PUBLISH has DUP set [MQTT-3.3.1-1]");
            Assert.Equal(sent[i].PacketIdentifier, again.PacketIdentifier);
            Assert.Equal($"m-{i}", again.Text());
            Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, again.QualityOfServiceLevel);
            await resumed.SendAsync(new MqttPubAckPacket { PacketIdentifier = again.PacketIdentifier });
        }

        // Acknowledged now: a new message is the next thing the client sees, not a third copy.
        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        var next = await resumed.ReceivePublishAsync("the marker");
        Assert.Equal(marker, next.Text());
        Assert.False(next.Dup);
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Qos2_message_without_pubrec_is_resent_and_with_pubrec_gets_pubrel_again(MqttProtocolVersion version)
    {
        var clientId = NewClientId("resume2");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var device = await ConnectRawAsync(version, PersistentSession.Connect(clientId, version));
        await device.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync(topic, "received", MqttQualityOfServiceLevel.ExactlyOnce);
        await publisher.PublishAsync(topic, "not received", MqttQualityOfServiceLevel.ExactlyOnce);

        // The first is PUBREC'd (PUBREL comes, PUBCOMP never goes), the second not even that.
        var received = await device.ReceivePublishAsync("the first QoS 2 message");
        var notReceived = await device.ReceivePublishAsync("the second QoS 2 message");
        await device.SendAsync(new MqttPubRecPacket { PacketIdentifier = received.PacketIdentifier });
        Assert.Equal(received.PacketIdentifier, (await device.ReceiveAsync<MqttPubRelPacket>("PUBREL")).PacketIdentifier);
        device.Abort();
        await Broker.WaitForConnectionsAsync(1);

        var resumed = await OpenRawAsync(version);
        Assert.True((await resumed.ConnectAsync(PersistentSession.Connect(clientId, version))).IsSessionPresent);

        // In the original order: PUBREL for the first [MQTT-4.4.0-1], the PUBLISH again for the second.
        Assert.Equal(received.PacketIdentifier, (await resumed.ReceiveAsync<MqttPubRelPacket>("PUBREL again")).PacketIdentifier);
        var again = await resumed.ReceivePublishAsync("the unacknowledged QoS 2 message again");
        Assert.True(again.Dup);
        Assert.Equal(notReceived.PacketIdentifier, again.PacketIdentifier);
        Assert.Equal("not received", again.Text());

        await resumed.SendAsync(new MqttPubCompPacket { PacketIdentifier = received.PacketIdentifier });
        await resumed.SendAsync(new MqttPubRecPacket { PacketIdentifier = again.PacketIdentifier });
        Assert.Equal(again.PacketIdentifier, (await resumed.ReceiveAsync<MqttPubRelPacket>("PUBREL of the second")).PacketIdentifier);
        await resumed.SendAsync(new MqttPubCompPacket { PacketIdentifier = again.PacketIdentifier });

        var marker = NewMarker();
        await publisher.PublishAsync(topic, marker, MqttQualityOfServiceLevel.AtLeastOnce);
        Assert.Equal(marker, (await resumed.ReceivePublishAsync("the marker, nothing else before it")).Text());
    }

    [Theory]
    [MemberData(nameof(Matrix.Versions), MemberType = typeof(Matrix))]
    public async Task Inbound_qos2_packet_id_stays_known_across_the_reconnect(MqttProtocolVersion version)
    {
        var clientId = NewClientId("inbound");
        var topic = NewTopic();
        var subscriber = await ConnectAsync();
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.ExactlyOnce);
        var device = await ConnectRawAsync(version, PersistentSession.Connect(clientId, version));
        var publish = new MqttPublishPacket
        {
            Topic = topic,
            PayloadSegment = Encoding.UTF8.GetBytes("exactly once"),
            QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce,
            PacketIdentifier = 7,
        };

        await device.SendAsync(publish);
        Assert.Equal(7, (await device.ReceiveAsync<MqttPubRecPacket>("PUBREC")).PacketIdentifier);
        Assert.Equal("exactly once", (await subscriber.Inbox.NextAsync("the message")).Text);

        // PUBREC lost on the way, as far as the client knows: it reconnects and sends the PUBLISH again.
        device.Abort();
        await Broker.WaitForConnectionsAsync(1);
        var resumed = await OpenRawAsync(version);
        Assert.True((await resumed.ConnectAsync(PersistentSession.Connect(clientId, version))).IsSessionPresent);
        publish.Dup = true;
        await resumed.SendAsync(publish);
        Assert.Equal(7, (await resumed.ReceiveAsync<MqttPubRecPacket>("PUBREC for the re-sent PUBLISH")).PacketIdentifier);
        await resumed.SendAsync(new MqttPubRelPacket { PacketIdentifier = 7 });
        var pubComp = await resumed.ReceiveAsync<MqttPubCompPacket>("PUBCOMP");
        Assert.Equal(7, pubComp.PacketIdentifier);
        Assert.Equal(MqttPubCompReasonCode.Success, pubComp.ReasonCode);

        // [MQTT-4.3.3-10]: delivered once. Packet id 7 is free again: a new message with it is a new message.
        publish.Dup = false;
        publish.PayloadSegment = Encoding.UTF8.GetBytes("new message, same id");
        await resumed.SendAsync(publish);
        Assert.Equal(7, (await resumed.ReceiveAsync<MqttPubRecPacket>("PUBREC of the new message")).PacketIdentifier);
        Assert.Equal(["new message, same id"], (await subscriber.Inbox.UntilMarkerAsync("new message, same id")).Select(m => m.Text));
    }

    [Fact]
    public async Task A_qos0_message_published_right_after_the_resumed_sessions_connack_is_delivered()
    {
        var clientId = NewClientId("q0");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var device = await ConnectRawAsync(MqttProtocolVersion.V500, PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        await device.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        device.Abort();
        await Broker.WaitForConnectionsAsync(1);

        // The subscription must be this gateway's route again by the time CONNACK arrives: the offline session
        // does not queue QoS 0, so a message routed to it instead would be lost. Several rounds, as it is a race.
        for (var round = 0; round < 25; round++)
        {
            var resumed = await OpenRawAsync(MqttProtocolVersion.V500);
            Assert.True((await resumed.ConnectAsync(PersistentSession.Connect(clientId, MqttProtocolVersion.V500))).IsSessionPresent);
            await publisher.PublishAsync(topic, $"round {round}");

            Assert.Equal($"round {round}", (await resumed.ReceivePublishAsync($"round {round}'s QoS 0 message")).Text());
            resumed.Abort();
            await Broker.WaitForConnectionsAsync(1);
        }
    }

    [Fact]
    public async Task Inbound_qos2_flow_finished_after_the_reconnect_frees_exactly_its_own_receive_maximum_slot()
    {
        var clientId = NewClientId("quota");
        var topic = NewTopic();
        var device = await ConnectRawAsync(MqttProtocolVersion.V500, PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        await device.SendAsync(new MqttPublishPacket { Topic = topic, PayloadSegment = "x"u8.ToArray(), QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce, PacketIdentifier = 7 });
        Assert.Equal(7, (await device.ReceiveAsync<MqttPubRecPacket>("PUBREC")).PacketIdentifier);
        device.Abort();
        await Broker.WaitForConnectionsAsync(0);

        var resumed = await OpenRawAsync(MqttProtocolVersion.V500);
        var connAck = await resumed.ConnectAsync(PersistentSession.Connect(clientId, MqttProtocolVersion.V500));
        Assert.True(connAck.IsSessionPresent);
        await resumed.SendAsync(new MqttPubRelPacket { PacketIdentifier = 7 });
        Assert.Equal(7, (await resumed.ReceiveAsync<MqttPubCompPacket>("PUBCOMP")).PacketIdentifier);

        // The quota is the broker's receive maximum again on this connection (4.9); finishing the old flow gives
        // no extra slot: one PUBLISH more than the receive maximum is still refused with 0x93 ([MQTT-3.3.4-7], 3.3.4).
        for (var id = 1; id <= connAck.ReceiveMaximum + 1; id++)
        {
            await resumed.SendAsync(new MqttPublishPacket
            {
                Topic = topic,
                PayloadSegment = "x"u8.ToArray(),
                QualityOfServiceLevel = MqttQualityOfServiceLevel.ExactlyOnce,
                PacketIdentifier = (ushort)(id + 100),
            });
        }

        // A PINGREQ behind them: answered only if the broker let the extra PUBLISH through.
        await resumed.SendAsync(MqttPingReqPacket.Instance);
        var packets = new List<MqttPacket>();
        while (await resumed.ReceiveAsync("the broker's answers until it closes the connection") is { } packet)
        {
            packets.Add(packet);
            Assert.False(packet is MqttPingRespPacket, $"{connAck.ReceiveMaximum + 1} unacknowledged QoS 2 PUBLISH packets were accepted");
        }

        Assert.Equal(connAck.ReceiveMaximum, packets.OfType<MqttPubRecPacket>().Count());
        Assert.Equal(MqttDisconnectReasonCode.ReceiveMaximumExceeded, Assert.IsType<MqttDisconnectPacket>(packets[^1]).ReasonCode);
    }

    [Fact]
    public async Task Mqttnet_client_holding_its_acks_gets_the_messages_again_with_dup()
    {
        var clientId = NewClientId("hold");
        var topic = NewTopic();
        var publisher = await ConnectAsync();
        var device = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        device.Inbox.HoldAcknowledgements = true;
        await device.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "one", MqttQualityOfServiceLevel.AtLeastOnce);
        await publisher.PublishAsync(topic, "two", MqttQualityOfServiceLevel.AtLeastOnce);
        var first = await device.Inbox.TakeAsync(2, "the messages, not acknowledged");
        await device.DisconnectAsync();
        await Broker.WaitForConnectionsAsync(1);

        var resumed = await ConnectAsync(clientId: clientId, configure: o => o.WithPersistentSession(MqttProtocolVersion.V500));
        var again = await resumed.Inbox.TakeAsync(2, "the messages again");
        Assert.Equal(["one", "two"], again.Select(m => m.Text));
        Assert.All(again, m => Assert.True(m.Dup));
        Assert.Equal(first.Select(m => m.PacketIdentifier), again.Select(m => m.PacketIdentifier));
    }
}
