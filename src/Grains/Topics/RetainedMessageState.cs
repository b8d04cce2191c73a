namespace MqttCluster.Grains.Topics;

/// <summary>Persistent state of a topic grain: its retained message, if any.</summary>
[GenerateSerializer, Alias("mqtt.RetainedMessageState")]
public sealed class RetainedMessageState
{
    [Id(0)] public BrokerMessage? Message { get; set; }
}
