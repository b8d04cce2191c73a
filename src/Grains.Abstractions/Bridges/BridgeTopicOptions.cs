namespace MqttCluster.Grains;

/// <summary>One topic of a bridge: Mosquitto's <c>topic pattern direction qos local-prefix remote-prefix</c>.</summary>
[GenerateSerializer, Alias("mqtt.BridgeTopicOptions")]
public sealed class BridgeTopicOptions
{
    /// <summary>Topic filter shared by both brokers; "" maps exactly the local prefix to the remote prefix.</summary>
    [Id(0)] public string Pattern { get; set; } = "";

    [Id(1)] public BridgeDirection Direction { get; set; } = BridgeDirection.Out;

    /// <summary>Highest QoS for this topic: messages cross with the lower of theirs and this.</summary>
    [Id(2)] public int Qos { get; set; }

    [Id(3)] public string LocalPrefix { get; set; } = "";

    [Id(4)] public string RemotePrefix { get; set; } = "";
}
