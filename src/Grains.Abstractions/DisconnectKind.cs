namespace MqttCluster.Grains;

/// <summary>How a connection ended, which decides what happens to the will.</summary>
[GenerateSerializer, Alias("mqtt.DisconnectKind")]
public enum DisconnectKind
{
    /// <summary>DISCONNECT with reason 0x00: the will is discarded [MQTT-3.14.4-3].</summary>
    Normal,

    /// <summary>v5 DISCONNECT with reason 0x04: publish the will.</summary>
    WithWill,

    /// <summary>Network failure, keep-alive timeout or protocol error: publish the will (after its delay).</summary>
    Lost,

    /// <summary>The broker is shutting down gracefully: the client did not fail, so no will.</summary>
    ServerShutdown,
}
