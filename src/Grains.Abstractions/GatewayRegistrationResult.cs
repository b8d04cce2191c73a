namespace MqttCluster.Grains;

/// <summary>The route index's answer to a gateway's (re-)registration.</summary>
[GenerateSerializer, Immutable, Alias("mqtt.GatewayRegistrationResult")]
public sealed record GatewayRegistrationResult
{
    /// <summary>The routes the index holds for the gateway; the gateway re-sends any it is missing.</summary>
    [Id(0)] public string[] Routes { get; init; } = [];

    /// <summary>
    /// True when the index had declared this gateway dead (it missed its refreshes) and moved its sessions
    /// offline: the gateway must close its connections, so clients reconnect and resume cleanly.
    /// </summary>
    [Id(1)] public bool WasDeclaredDead { get; init; }
}
