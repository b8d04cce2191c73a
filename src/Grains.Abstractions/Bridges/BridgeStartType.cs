namespace MqttCluster.Grains;

/// <summary>When a bridge connects (Mosquitto's <c>start_type</c>).</summary>
[GenerateSerializer, Alias("mqtt.BridgeStartType")]
public enum BridgeStartType
{
    /// <summary>At start, and again after every lost connection (with back-off).</summary>
    Automatic,

    /// <summary>Once <see cref="BridgeOptions.Threshold"/> messages wait; disconnects after <see cref="BridgeOptions.IdleTimeout"/> idle.</summary>
    Lazy,

    /// <summary>At start only: a lost connection is not made again.</summary>
    Once,
}
