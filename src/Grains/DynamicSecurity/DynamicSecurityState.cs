namespace MqttCluster.Grains.DynamicSecurity;

/// <summary>What <see cref="DynamicSecurityGrain"/> keeps in storage.</summary>
[GenerateSerializer, Alias("mqtt.DynamicSecurityState")]
public sealed class DynamicSecurityState
{
    [Id(0)] public long Version { get; set; }

    /// <summary>The state as a Mosquitto dynamic-security.json document; null until imported or first changed.</summary>
    [Id(1)] public string? Document { get; set; }
}
