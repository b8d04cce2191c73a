using System.Globalization;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// Two bridges to the same Mosquitto, each through its own <see cref="CuttableLink"/>: an MQTT 3.1.1 one
/// (<see cref="BridgeFixture.BridgeName"/>, topics under <c>eo311/</c>) and an MQTT 5 one
/// (<see cref="Mqtt5BridgeName"/>, under <c>eo5/</c>), both with a persistent session at the remote
/// (<c>cleansession false</c>, the default), QoS 2 out on <c>PREFIX/out/#</c> and in on <c>PREFIX/in/#</c>.
/// </summary>
public sealed class ExactlyOnceBridgeFixture : BridgeFixture
{
    public const string Mqtt5BridgeName = "exactly-once-5";

    public override string RemoteClientId => "pi.eo311";

    public CuttableLink Link311 { get; private set; } = null!;

    public CuttableLink Link5 { get; private set; } = null!;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Link311.DisposeAsync();
        await Link5.DisposeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string?>> BridgeSettings(int remotePort)
    {
        Link311 = new CuttableLink(remotePort);
        Link5 = new CuttableLink(remotePort);
        return Settings(BridgeName, "Mqtt311", RemoteClientId, Link311.Port, "eo311")
            .Concat(Settings(Mqtt5BridgeName, "Mqtt50", "pi.eo5", Link5.Port, "eo5"));
    }

    private static Dictionary<string, string?> Settings(string name, string version, string remoteClientId, int port, string prefix)
    {
        var key = $"Bridges:{name}:";
        return new Dictionary<string, string?>
        {
            [key + "Addresses:0"] = $"127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}",
            [key + "ProtocolVersion"] = version,
            [key + "RemoteClientId"] = remoteClientId,
            [key + "RestartTimeout"] = "00:00:00.200",
            [key + "RestartTimeoutCap"] = "00:00:01",
            [key + "Topics:0:Pattern"] = $"{prefix}/out/#",
            [key + "Topics:0:Direction"] = "out",
            [key + "Topics:0:Qos"] = "2",
            [key + "Topics:1:Pattern"] = $"{prefix}/in/#",
            [key + "Topics:1:Direction"] = "in",
            [key + "Topics:1:Qos"] = "2",
        };
    }
}
