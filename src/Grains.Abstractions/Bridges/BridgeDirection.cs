namespace MqttCluster.Grains;

/// <summary>Which way a bridge topic's messages cross: Mosquitto's <c>out</c>, <c>in</c> and <c>both</c>.</summary>
[GenerateSerializer, Alias("mqtt.BridgeDirection")]
public enum BridgeDirection
{
    /// <summary>From this broker to the remote one.</summary>
    Out,

    /// <summary>From the remote broker to this one.</summary>
    In,

    Both,
}
