namespace MqttCluster.Grains;

/// <summary>A change pushed to every gateway: the new state, and whose connections must be disconnected so their
/// new permissions apply from a fresh CONNECT and SUBSCRIBE (the plugin kicks them too).</summary>
[GenerateSerializer, Immutable, Alias("mqtt.DynamicSecurityUpdate")]
public sealed record DynamicSecurityUpdate(
    [property: Id(0)] DynamicSecuritySnapshot Snapshot,
    [property: Id(1)] string[] KickedUsernames,
    [property: Id(2)] bool KickAnonymous);
