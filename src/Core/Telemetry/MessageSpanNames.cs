namespace MqttCluster.Core.Telemetry;

/// <summary>
/// The spans of one PUBLISH, in the order they nest: the publisher's gateway receives it, its topic grain routes
/// it, every gateway with subscribers delivers it, and each subscriber's connection sends it.
/// </summary>
public static class MessageSpanNames
{
    public const string Receive = "mqtt receive";
    public const string Route = "mqtt route";
    public const string Deliver = "mqtt deliver";
    public const string Send = "mqtt send";
}
