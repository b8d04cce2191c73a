using System.Text;

namespace MqttCluster.Grains.Tests;

internal static class Messages
{
    public static BrokerMessage Create(string topic, string payload, bool retain = false, byte qos = 1) => new()
    {
        Topic = topic,
        Payload = Encoding.UTF8.GetBytes(payload),
        Retain = retain,
        QualityOfService = qos,
    };

    public static string Text(this BrokerMessage message) => Encoding.UTF8.GetString(message.Payload);
}
