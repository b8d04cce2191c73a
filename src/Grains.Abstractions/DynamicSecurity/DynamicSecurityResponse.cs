namespace MqttCluster.Grains;

/// <summary>The answer to a command batch (the payload for <c>$CONTROL/dynamic-security/v1/response</c>) and the
/// version the state has after it.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.DynamicSecurityResponse")]
public sealed record DynamicSecurityResponse(
    [property: Id(0)] string Response,
    [property: Id(1)] long Version);
