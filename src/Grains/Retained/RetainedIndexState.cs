namespace MqttCluster.Grains.Retained;

/// <summary>Persistent state of a retained-index partition: the topics in it that hold a retained message.</summary>
[GenerateSerializer, Alias("mqtt.RetainedIndexState")]
public sealed class RetainedIndexState
{
    [Id(0)] public HashSet<string> Topics { get; set; } = new(StringComparer.Ordinal);
}
