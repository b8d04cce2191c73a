namespace MqttCluster.Grains.Sessions;

/// <summary>Stored list of the persistent sessions in one registry partition.</summary>
[GenerateSerializer, Alias("mqtt.SessionRegistryState")]
public sealed class SessionRegistryState
{
    [Id(0)] public HashSet<string> ClientIds { get; set; } = new(StringComparer.Ordinal);
}
