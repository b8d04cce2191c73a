namespace MqttCluster.Grains;

/// <summary>
/// Persistent sessions as they are stored, for an administrator: which exist, and what one holds (subscriptions,
/// queued and unacknowledged messages, when it expires). Reads storage and the session registry only; it never
/// activates or changes a session grain. A stateless worker: call it with key 0.
/// </summary>
[Alias("mqtt.IPersistentSessionsGrain")]
public interface IPersistentSessionsGrain : IGrainWithIntegerKey
{
    /// <summary>The client ids of every persistent session starting with <paramref name="prefix"/>, ordered.</summary>
    [Alias("List")]
    Task<string[]> ListAsync(string prefix);

    /// <summary>The stored session of <paramref name="clientId"/>, or null when it has none.</summary>
    [Alias("Get")]
    Task<StoredSession?> GetAsync(string clientId);
}
