namespace MqttCluster.Grains;

/// <summary>One version of the dynamic-security state, as a Mosquitto <c>dynamic-security.json</c> document
/// (with password hashes, never passwords). Version 0 with a null document: nothing configured yet.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.DynamicSecuritySnapshot")]
public sealed record DynamicSecuritySnapshot(
    [property: Id(0)] long Version,
    [property: Id(1)] string? Document);
