using System.Text;
using MqttCluster.Gateway.Tests.Infrastructure;
using MqttCluster.Grains;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Sessions;

/// <summary>
/// A client that publishes right after CONNACK and reconnects at once: the session grain can run the new
/// connection's takeover before it answers the old connection's request for its stored messages (the resume). What
/// the old connection received still takes effect before the new connection's CONNACK: its read loop runs beside the
/// resume instead of after it. Before, the takeover waited its 2 s for a read loop that had not started, and the
/// PUBLISH took effect only after the new CONNACK (`PacketOrderTests` failed now and then on a busy machine). The
/// session is persistent: a new session that ends with its connection has nothing to resume and makes no such call.
/// </summary>
public sealed class TakeoverDuringResumeTests(RefusingBrokerFixture broker) : BrokerTest<RefusingBrokerFixture>(broker), IClassFixture<RefusingBrokerFixture>
{
    [Theory]
    [InlineData((byte)4)]
    [InlineData((byte)5)]
    public async Task PUBLISH_sent_while_the_resume_is_unanswered_takes_effect_before_the_takeover(byte level)
    {
        var version = level == 5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311;
        var clientId = NewClientId("resume");
        var topic = NewTopic();
        var marker = NewMarker();
        var checker = await ConnectAsync();
        const string resume = nameof(ISessionGrain.ResumeAsync);
        var held = Broker.HeldOnTheWay.Hold(resume, clientId);
        try
        {
            var first = await OpenRawAsync(version);
            await first.SendBytesAsync(PersistentConnect(level, clientId));
            Assert.Equal(MqttConnectReasonCode.Success, (await first.ReceiveAsync<MqttConnAckPacket>("first CONNACK")).ReasonCode);
            await Within.Async(held, "the resume held on its way to the session grain");
            await first.SendAsync(new MqttPublishPacket { Topic = topic, Payload = new(Encoding.UTF8.GetBytes(marker)), Retain = true });

            // Taken over while its resume is still on the way to the session grain.
            var second = await OpenRawAsync(version);
            await second.SendBytesAsync(PersistentConnect(level, clientId));
            Assert.Equal(MqttConnectReasonCode.Success, (await second.ReceiveAsync<MqttConnAckPacket>("second CONNACK")).ReasonCode);
            Assert.Equal([marker], await SubscribeForRetainedAsync(checker, topic));
            await second.DisposeAsync();
            await first.DisposeAsync();
        }
        finally
        {
            Broker.HeldOnTheWay.Release(resume, clientId);
        }
    }

    /// <summary>CONNECT without clean session; in 5.0 with a session expiry of 60 s (property 0x11).</summary>
    private static byte[] PersistentConnect(byte level, string clientId) =>
        PacketBytes.Connect("MQTT", level, 0x00, level == 5 ? PacketBytes.Properties([0x11, 0, 0, 0, 60]) : null, PacketBytes.String(clientId));
}
