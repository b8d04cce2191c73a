namespace MqttCluster.Grains;

/// <summary>The MQTT version a bridge speaks to its remote (Mosquitto's <c>bridge_protocol_version</c>).</summary>
[GenerateSerializer, Alias("mqtt.BridgeProtocolVersion")]
public enum BridgeProtocolVersion
{
    Mqtt311,
    Mqtt31,
    Mqtt50,
}
