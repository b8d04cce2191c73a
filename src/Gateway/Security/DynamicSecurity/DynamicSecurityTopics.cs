namespace MqttCluster.Gateway.Security.DynamicSecurity;

/// <summary>The topics Mosquitto's dynamic-security plugin is driven on (mosquitto_ctrl uses them).</summary>
public static class DynamicSecurityTopics
{
    public const string Control = "$CONTROL/dynamic-security/v1";
    public const string Response = "$CONTROL/dynamic-security/v1/response";
}
