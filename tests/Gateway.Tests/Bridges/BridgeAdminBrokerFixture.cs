using System.Globalization;
using MqttCluster.Gateway.Tests.Infrastructure;

namespace MqttCluster.Gateway.Tests.Bridges;

/// <summary>
/// A broker with the REST API (dynamic security, see <see cref="DynamicSecurityBrokerFixture"/>), a Mosquitto for
/// the bridges the tests add through it (<see cref="Remote"/>), and one bridge of the configuration,
/// <see cref="ConfiguredBridgeName"/>, to the same Mosquitto.
/// </summary>
public sealed class BridgeAdminBrokerFixture : DynamicSecurityBrokerFixture
{
    public string ConfiguredBridgeName { get; } = $"conf-{Guid.NewGuid():N}"[..13];

    public MosquittoRemote Remote { get; private set; } = null!;

    public override async Task InitializeAsync()
    {
        Remote = await MosquittoRemote.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await Remote.DisposeAsync();
    }

    protected override void Configure(IDictionary<string, string?> settings)
    {
        base.Configure(settings);
        var key = $"Bridges:{ConfiguredBridgeName}:";
        settings[key + "Addresses:0"] = $"127.0.0.1:{Remote.Port.ToString(CultureInfo.InvariantCulture)}";
        settings[key + "RemoteClientId"] = ConfiguredBridgeName;
        settings[key + "Topics:0:Pattern"] = $"{ConfiguredBridgeName}/#";
    }
}
