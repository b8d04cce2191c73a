namespace MqttCluster.Core.Telemetry;

/// <summary>Every instrument of the broker's meter, in one place (Prometheus shows dots as underscores).</summary>
public static class BrokerInstrumentNames
{
    public const string ConnectionsAccepted = "mqtt.broker.connections.accepted";
    public const string ConnectionsRefused = "mqtt.broker.connections.refused";
    public const string ConnectionsActive = "mqtt.broker.connections.active";
    public const string MessagesReceived = "mqtt.broker.messages.received";
    public const string MessagesSent = "mqtt.broker.messages.sent";
    public const string BytesReceived = "mqtt.broker.received.bytes";
    public const string BytesSent = "mqtt.broker.sent.bytes";
    public const string MessagesDropped = "mqtt.broker.messages.dropped";
    public const string Subscriptions = "mqtt.broker.subscriptions";
    public const string Inflight = "mqtt.broker.inflight";
    public const string SendQueueDepth = "mqtt.broker.send_queue.depth";
    public const string Routes = "mqtt.broker.routes";
    public const string RouteReplicaVersion = "mqtt.broker.routes.replica_version";
    public const string RetainedMessages = "mqtt.broker.retained.messages";
    public const string OfflineQueueDepth = "mqtt.broker.offline_queue.depth";
    public const string Sessions = "mqtt.broker.sessions";
    public const string BridgeQueueDepth = "mqtt.broker.bridge.queue.depth";
    public const string BridgeConnected = "mqtt.broker.bridge.connected";
    public const string BridgeMessagesSent = "mqtt.broker.bridge.messages.sent";
    public const string BridgeMessagesReceived = "mqtt.broker.bridge.messages.received";

    /// <summary>Attribute on <see cref="Sessions"/>: <c>online</c> or <c>offline</c>.</summary>
    public const string StateAttribute = "state";

    /// <summary>Attribute on <see cref="MessagesDropped"/>: one of <see cref="DropReasons"/>.</summary>
    public const string ReasonAttribute = "reason";
}
