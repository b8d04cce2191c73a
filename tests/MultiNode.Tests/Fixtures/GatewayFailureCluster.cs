using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>
/// Two grains-only silos and three standalone gateways: each test kills one gateway of its own (gateway-1,
/// gateway-2) while gateway-3 carries the survivors.
/// </summary>
public sealed class GatewayFailureCluster : ClusterFixture
{
    protected override int GrainSiloCount => 2;

    protected override int GatewayCount => 3;

    public NodeProcess Survivor => Gateways[2];
}
