namespace MqttCluster.Grains.Bridges;

/// <summary>The bridges this silo's configuration declares (native settings, or a mosquitto.conf mapped to them).</summary>
public sealed class BridgeDefinitions(IReadOnlyList<BridgeOptions> bridges)
{
    public IReadOnlyList<BridgeOptions> Bridges { get; } = bridges;
}
