namespace MqttCluster.Core.Telemetry;

/// <summary>
/// Span attribute names: OpenTelemetry's messaging semantic conventions where one fits, <c>mqtt.*</c> for what
/// only MQTT has.
/// </summary>
public static class MessagingAttributes
{
    public const string System = "messaging.system";
    public const string SystemMqtt = "mqtt";
    public const string OperationType = "messaging.operation.type";
    public const string DestinationName = "messaging.destination.name";
    public const string ClientId = "messaging.client.id";
    public const string MessageId = "messaging.message.id";
    public const string BodySize = "messaging.message.body.size";
    public const string QualityOfService = "mqtt.qos";
    public const string Retain = "mqtt.retain";
    public const string Node = "mqtt.node";
    public const string Subscribers = "mqtt.subscribers";
    public const string Gateways = "mqtt.destination.gateways";
    public const string OfflineSessions = "mqtt.destination.offline_sessions";
    public const string SharedGroups = "mqtt.destination.shared_groups";
}
