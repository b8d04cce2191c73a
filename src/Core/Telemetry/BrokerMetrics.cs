using System.Diagnostics.Metrics;

namespace MqttCluster.Core.Telemetry;

/// <summary>
/// The host's meter and its counters. Besides feeding exporters, the counters keep running totals in this process
/// (<see cref="Totals"/>) for the <c>$SYS</c> topics and the status page, which need the values themselves.
/// </summary>
public sealed class BrokerMetrics
{
    private readonly Counter<long> _connectionsAccepted;
    private readonly Counter<long> _connectionsRefused;
    private readonly Counter<long> _messagesReceived;
    private readonly Counter<long> _messagesSent;
    private readonly Counter<long> _bytesReceived;
    private readonly Counter<long> _bytesSent;
    private readonly Counter<long> _messagesDropped;
    private long _totalConnectionsAccepted;
    private long _totalConnectionsRefused;
    private long _totalMessagesReceived;
    private long _totalMessagesSent;
    private long _totalBytesReceived;
    private long _totalBytesSent;
    private long _totalMessagesDropped;

    public BrokerMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(BrokerTelemetry.Name);
        _connectionsAccepted = Meter.CreateCounter<long>(BrokerInstrumentNames.ConnectionsAccepted, "{connection}", "MQTT connections accepted (CONNACK success)");
        _connectionsRefused = Meter.CreateCounter<long>(BrokerInstrumentNames.ConnectionsRefused, "{connection}", "MQTT connections refused, by CONNACK reason");
        _messagesReceived = Meter.CreateCounter<long>(BrokerInstrumentNames.MessagesReceived, "{message}", "PUBLISH packets received from clients, by QoS");
        _messagesSent = Meter.CreateCounter<long>(BrokerInstrumentNames.MessagesSent, "{message}", "PUBLISH packets sent to clients, by QoS");
        _bytesReceived = Meter.CreateCounter<long>(BrokerInstrumentNames.BytesReceived, "By", "Payload bytes received from clients, by QoS");
        _bytesSent = Meter.CreateCounter<long>(BrokerInstrumentNames.BytesSent, "By", "Payload bytes sent to clients, by QoS");
        _messagesDropped = Meter.CreateCounter<long>(BrokerInstrumentNames.MessagesDropped, "{message}", "Messages discarded, by reason");
    }

    /// <summary>For components that observe gauges of their own (connections, routes, queues).</summary>
    public Meter Meter { get; }

    public BrokerTotals Totals => new(
        Interlocked.Read(ref _totalConnectionsAccepted),
        Interlocked.Read(ref _totalConnectionsRefused),
        Interlocked.Read(ref _totalMessagesReceived),
        Interlocked.Read(ref _totalMessagesSent),
        Interlocked.Read(ref _totalBytesReceived),
        Interlocked.Read(ref _totalBytesSent),
        Interlocked.Read(ref _totalMessagesDropped));

    public void ConnectionAccepted()
    {
        Interlocked.Increment(ref _totalConnectionsAccepted);
        _connectionsAccepted.Add(1);
    }

    public void ConnectionRefused(string reason)
    {
        Interlocked.Increment(ref _totalConnectionsRefused);
        _connectionsRefused.Add(1, new KeyValuePair<string, object?>(BrokerInstrumentNames.ReasonAttribute, reason));
    }

    public void MessageReceived(byte qos, int payloadBytes)
    {
        Interlocked.Increment(ref _totalMessagesReceived);
        Interlocked.Add(ref _totalBytesReceived, payloadBytes);
        var tag = QosTag(qos);
        _messagesReceived.Add(1, tag);
        _bytesReceived.Add(payloadBytes, tag);
    }

    public void MessageSent(byte qos, int payloadBytes)
    {
        Interlocked.Increment(ref _totalMessagesSent);
        Interlocked.Add(ref _totalBytesSent, payloadBytes);
        var tag = QosTag(qos);
        _messagesSent.Add(1, tag);
        _bytesSent.Add(payloadBytes, tag);
    }

    public void MessagesDropped(string reason, int count = 1)
    {
        Interlocked.Add(ref _totalMessagesDropped, count);
        _messagesDropped.Add(count, new KeyValuePair<string, object?>(BrokerInstrumentNames.ReasonAttribute, reason));
    }

    private static KeyValuePair<string, object?> QosTag(byte qos) => new(MessagingAttributes.QualityOfService, (int)qos);
}
