using MqttCluster.MultiNode.Tests.Infrastructure;

namespace MqttCluster.MultiNode.Tests.Fixtures;

/// <summary>A grains-only silo, a silo co-hosting a gateway and a standalone gateway, all stopped and started again.</summary>
public sealed class RestartCluster : ClusterFixture
{
    protected override int GrainSiloCount => 1;

    protected override int GatewaySiloCount => 1;

    protected override int GatewayCount => 1;
}
