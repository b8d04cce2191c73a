namespace MqttCluster.Core.Telemetry;

/// <summary>The busiest topics of one interval, and how many messages went to all other topics.</summary>
public sealed record TopicActivitySnapshot(IReadOnlyList<KeyValuePair<string, long>> Busiest, long Others);
