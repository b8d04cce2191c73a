namespace MqttCluster.Grains.Sessions;

/// <summary>Stored entries of the persistent sessions in one registry partition.</summary>
[GenerateSerializer, Alias("mqtt.SessionRegistryState")]
public sealed class SessionRegistryState
{
    /// <summary>The list as versions before the entries stored it (client ids only); moved into
    /// <see cref="Sessions"/> when the partition activates, each due at once so its session reports its entry.</summary>
    [Id(0)] public HashSet<string> ClientIds { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public Dictionary<string, SessionRegistryEntry> Sessions { get; set; } = new(StringComparer.Ordinal);
}
