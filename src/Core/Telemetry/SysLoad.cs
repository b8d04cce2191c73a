namespace MqttCluster.Core.Telemetry;

/// <summary>The load averages a <c>$SYS</c> tree publishes: messages and payload bytes, received and sent.</summary>
public sealed class SysLoad
{
    public LoadAverage MessagesReceived { get; } = new();

    public LoadAverage MessagesSent { get; } = new();

    public LoadAverage BytesReceived { get; } = new();

    public LoadAverage BytesSent { get; } = new();

    public void Update(BrokerTotals totals, DateTimeOffset now)
    {
        MessagesReceived.Update(totals.MessagesReceived, now);
        MessagesSent.Update(totals.MessagesSent, now);
        BytesReceived.Update(totals.BytesReceived, now);
        BytesSent.Update(totals.BytesSent, now);
    }
}
