namespace MqttCluster.Grains.Bridges;

/// <summary>
/// The bridges this silo's configuration declares (native settings, or a mosquitto.conf mapped to them). A reload
/// (SIGHUP) replaces them; the silo's <see cref="BridgeKeeper"/> starts what was added or changed and stops what was
/// removed at its next round.
/// </summary>
public sealed class BridgeDefinitions(IReadOnlyList<BridgeOptions> bridges)
{
    private IReadOnlyList<BridgeOptions> _bridges = bridges;

    public IReadOnlyList<BridgeOptions> Bridges => Volatile.Read(ref _bridges);

    public void Replace(IReadOnlyList<BridgeOptions> bridges) => Volatile.Write(ref _bridges, bridges);
}
