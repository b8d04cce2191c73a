using System.Text;

namespace MqttCluster.Grains.Tests.Sessions;

/// <summary>Messages and waits for session grain tests.</summary>
internal static class SessionTestData
{
    public static BrokerMessage Message(string topic, string text) => new()
    {
        MessageId = Guid.NewGuid(),
        Topic = topic,
        Payload = Encoding.UTF8.GetBytes(text),
        QualityOfService = 1,
    };

    public static OutboundMessage Outbound(string topic, string text, ushort packetId = 0) => new()
    {
        Message = Message(topic, text),
        QualityOfService = 1,
        PacketId = packetId,
    };

    public static string NewClientId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Polls <paramref name="probe"/> until it holds, for state that has no event to wait on.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> probe, string awaited)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!await probe())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Timed out after 10 s waiting for {awaited}.");
            }

            await Task.Delay(20);
        }
    }
}
