using MqttCluster.Gateway.Tests.Infrastructure;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace MqttCluster.Gateway.Tests.Limits;

/// <summary>
/// One publisher that sends a burst of QoS 1 messages without waiting for each acknowledgement, and one subscriber
/// on raw packets that takes them one at a time, acknowledging each after it read it: slower than the broker
/// accepts them, as a subscriber on a small device is.
/// </summary>
internal static class SlowSubscriberScenario
{
    public const int Burst = 300;

    public static async Task<RawMqttClient> SubscribeAsync(Func<MqttProtocolVersion, MqttConnectPacket, Task<RawMqttClient>> connect, string clientId, string topic)
    {
        var subscriber = await connect(MqttProtocolVersion.V311, new MqttConnectPacket { ClientId = clientId, CleanSession = true });
        await subscriber.SubscribeAsync(topic, MqttQualityOfServiceLevel.AtLeastOnce);
        return subscriber;
    }

    /// <summary>Starts the burst (an MQTT 3.1.1 publisher: no receive maximum to stay within): every PUBLISH is written
    /// at once; the tasks complete with their PUBACKs.</summary>
    public static Task<MQTTnet.MqttClientPublishResult>[] StartBurst(TestClient publisher, string topic) =>
        [.. Enumerable.Range(0, Burst).Select(i => publisher.PublishAsync(topic, $"m-{i}", MqttQualityOfServiceLevel.AtLeastOnce))];

    /// <summary>Reads <paramref name="count"/> PUBLISH packets, acknowledging each; returns their payloads.</summary>
    public static async Task<List<string>> TakeAsync(RawMqttClient subscriber, int count)
    {
        var received = new List<string>();
        while (received.Count < count)
        {
            var publish = await subscriber.ReceivePublishAsync($"message {received.Count}");
            await subscriber.SendAsync(new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier });
            received.Add(publish.Text());
        }

        return received;
    }

    /// <summary>
    /// Reads PUBLISH packets, acknowledging each, until one with <paramref name="last"/> as its payload; returns
    /// the payloads before it.
    /// </summary>
    public static async Task<List<string>> TakeUntilAsync(RawMqttClient subscriber, string last)
    {
        var received = new List<string>();
        while (true)
        {
            var publish = await subscriber.ReceivePublishAsync($"message {received.Count} or '{last}'");
            await subscriber.SendAsync(new MqttPubAckPacket { PacketIdentifier = publish.PacketIdentifier });
            if (publish.Text() == last)
            {
                return received;
            }

            received.Add(publish.Text());
        }
    }
}
