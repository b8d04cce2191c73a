using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>
/// A healthy cluster shared by the tests that only need traffic across gateways: a grains-only silo, a silo that
/// co-hosts a gateway, and two standalone gateways. Tests keep apart by unique topics and client ids.
/// </summary>
public sealed class CrossGatewayCluster : ClusterFixture
{
    protected override int GrainSiloCount => 1;

    protected override int GatewaySiloCount => 1;

    protected override int GatewayCount => 2;

    /// <summary>Standalone gateway A.</summary>
    public NodeProcess GatewayA => Gateways[0];

    /// <summary>Standalone gateway B.</summary>
    public NodeProcess GatewayB => Gateways[1];

    /// <summary>The gateway inside a silo.</summary>
    public NodeProcess CoHostedGateway => GatewaySilos[0];
}
